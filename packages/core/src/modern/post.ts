/**
 * Modern era (2026-07-28): stateless requests with the `_meta` envelope, `server/discover`,
 * `resultType`, cache hints, and MRTR (`input_required` + sealed `requestState`).
 */
import { createContext } from "../call/context.ts";
import { toWireError } from "../jsonrpc/wire-error.ts";
import { Exchange } from "../http/exchange.ts";
import { accepted, cannotStream, httpError, jsonResponse } from "../http/responses.ts";
import { InputCollector, InputRequiredSignal } from "./inputs.ts";
import { classify, errorMessage, type JsonRpcRequest, resultMessage } from "../jsonrpc/messages.ts";
import { listen } from "./listen.ts";
import { serverCapabilities, sharedMethod } from "../methods/table.ts";
import { checkMirrorHeaders, type Envelope, readEnvelope } from "./envelope.ts";
import { type LogLevel, META, MODERN_VERSIONS } from "../jsonrpc/protocol.ts";
import { randomId } from "../util/encoding.ts";
import { bindingOf } from "./request-state.ts";
import { type Incoming, RequestAbort, type Runtime, waitUntilOf } from "../call/runtime.ts";
import { ErrorCode, McpError } from "../errors.ts";

const CACHEABLE = new Set([
  "tools/list",
  "prompts/list",
  "resources/list",
  "resources/read",
  "resources/templates/list",
  "server/discover",
]);
const MRTR = new Set(["tools/call", "prompts/get", "resources/read"]);
const LEGACY_ONLY = new Set([
  "initialize",
  "ping",
  "logging/setLevel",
  "resources/subscribe",
  "resources/unsubscribe",
]);

/** HTTP status of a JSON-RPC error in the modern era. */
function statusOf(code: number): number {
  if (code === ErrorCode.MethodNotFound) return 404;
  if (
    code === ErrorCode.HeaderMismatch ||
    code === ErrorCode.MissingRequiredClientCapability ||
    code === ErrorCode.UnsupportedProtocolVersion ||
    code === ErrorCode.InvalidParams ||
    code === ErrorCode.InvalidRequest ||
    code === ErrorCode.ParseError
  ) {
    return 400;
  }
  return 200;
}

export async function modernPost(rt: Runtime, incoming: Incoming, body: unknown): Promise<Response> {
  const c = classify(body);
  if (c.kind === "invalid")
    return httpError(400, ErrorCode.InvalidRequest, `Invalid Request: ${c.reason}`, { id: c.id });
  if (c.kind === "response") {
    return httpError(
      400,
      ErrorCode.InvalidRequest,
      "Invalid Request: clients must not send responses at 2026-07-28",
    );
  }
  const envelope = readEnvelope(incoming.request, c.message);
  if (envelope instanceof Response) return envelope;
  const mirrored = checkMirrorHeaders(incoming.request, c.message, rt.server);
  if (mirrored) return mirrored;
  if (c.kind === "notification") return accepted();
  const message = c.message;
  if (message.method === "subscriptions/listen") {
    if (incoming.host.canStream === false) return cannotStream();
    return listen(rt, incoming, message, envelope);
  }
  return await serve(rt, incoming, message, envelope);
}

function serverMeta(rt: Runtime, extra?: Record<string, unknown>): Record<string, unknown> {
  return { ...extra, [META.serverInfo]: rt.server.info };
}

function complete(rt: Runtime, method: string, result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...result, resultType: "complete" };
  out._meta = serverMeta(rt, result._meta as Record<string, unknown> | undefined);
  if (CACHEABLE.has(method)) {
    out.ttlMs ??= rt.options.cache.ttlMs;
    out.cacheScope ??= rt.options.cache.scope;
  }
  return out;
}

async function serve(
  rt: Runtime,
  incoming: Incoming,
  message: JsonRpcRequest,
  envelope: Envelope,
): Promise<Response> {
  const method = message.method;
  const params = message.params ?? {};
  if (LEGACY_ONLY.has(method) || !(method === "server/discover" || SHARED.has(method))) {
    const reason = LEGACY_ONLY.has(method) ? ` (not available at ${envelope.protocolVersion})` : "";
    return httpError(404, ErrorCode.MethodNotFound, `Method not found: ${method}${reason}`, {
      id: message.id,
    });
  }
  if (method === "server/discover") {
    const result: Record<string, unknown> = {
      // Legacy versions are negotiated by `initialize`, not chosen from here.
      supportedVersions: [...MODERN_VERSIONS],
      capabilities: serverCapabilities(rt.server),
    };
    if (rt.server.instructions !== undefined) result.instructions = rt.server.instructions;
    return jsonResponse(resultMessage(message.id, complete(rt, method, result)));
  }
  const abort = new RequestAbort(rt, incoming);
  const signal = (): AbortSignal => abort.signal;
  const exchange = new Exchange({
    keepAliveMs: rt.options.keepAliveMs,
    canStream: incoming.host.canStream !== false,
    onClientGone: () => abort.abort(new Error("stream closed")),
  });
  const run = (async () => {
    try {
      const retried = params.requestState !== undefined || params.inputResponses !== undefined;
      const answers = retried && MRTR.has(method) ? await gatheredAnswers(rt, incoming, method, params) : {};
      const collector = new InputCollector(answers, envelope.clientCapabilities);
      const meta = (params._meta ?? {}) as Record<string, unknown>;
      const ctx = createContext({
        signal,
        requestId: message.id,
        era: "modern",
        protocolVersion: envelope.protocolVersion,
        sessionId: undefined,
        auth: incoming.auth,
        env: incoming.env,
        headers: incoming.request.headers,
        clientCapabilities: envelope.clientCapabilities,
        clientInfo: envelope.clientInfo,
        progressToken: meta.progressToken as string | number | undefined,
        logLevel: () => envelope.logLevel as LogLevel | undefined,
        notify: (m) => exchange.send(m),
        ask: (requests) => {
          if (!MRTR.has(method))
            throw new McpError(ErrorCode.InvalidRequest, `${method} cannot ask the client for input`);
          return collector.ask(requests);
        },
        waitUntil: waitUntilOf(incoming),
        closeStream: () => {},
      });
      let result: Record<string, unknown> | undefined;
      try {
        result = await sharedMethod(method, params, {
          server: rt.server,
          era: "modern",
          ctx,
          report: rt.report,
        });
      } catch (error) {
        if (!(error instanceof InputRequiredSignal) && !collector.hasPending) throw error;
      }
      if (collector.hasPending) {
        const requestState = await rt.sealer.seal({
          v: 1,
          b: await bindingOf(method, targetOf(params), params.arguments),
          s: incoming.auth?.subject ?? null,
          e: Date.now() + rt.options.requestStateTtlMs,
          r: collector.used,
          n: randomId(8),
        });
        const inputRequired = {
          resultType: "input_required",
          inputRequests: collector.pending,
          requestState,
          _meta: serverMeta(rt),
        };
        await exchange.complete(resultMessage(message.id, inputRequired));
        return;
      }
      await exchange.complete(resultMessage(message.id, complete(rt, method, result ?? {})));
    } catch (error) {
      const wire = toWireError(error, message.id, rt.report, method);
      if (exchange.streaming) await exchange.complete(wire);
      else exchange.fail(jsonResponse(wire, statusOf(wire.error.code)));
    } finally {
      abort.dispose();
    }
  })();
  // Work that outlives the response only exists once it streams; a JSON answer is already final.
  exchange.whenStreaming(() => waitUntilOf(incoming)(run));
  return await exchange.response;
}

const SHARED = new Set([
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "prompts/list",
  "prompts/get",
  "completion/complete",
]);

function targetOf(params: Record<string, unknown>): string {
  return String(params.name ?? params.uri ?? "");
}

/** Answers from a verified `requestState` plus this request's `inputResponses`. */
async function gatheredAnswers(
  rt: Runtime,
  incoming: Incoming,
  method: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const answers: Record<string, unknown> = {};
  if (params.requestState !== undefined) {
    if (typeof params.requestState !== "string") {
      throw new McpError(ErrorCode.InvalidParams, "Invalid params: /requestState must be a string");
    }
    const payload = await rt.sealer.open(params.requestState, Date.now());
    const binding = await bindingOf(method, targetOf(params), params.arguments);
    if (payload === undefined || payload.b !== binding || payload.s !== (incoming.auth?.subject ?? null)) {
      throw new McpError(
        ErrorCode.InvalidParams,
        "Invalid params: requestState is invalid, expired or belongs to another request",
      );
    }
    Object.assign(answers, payload.r);
  }
  const responses = params.inputResponses;
  if (responses !== undefined) {
    if (typeof responses !== "object" || responses === null || Array.isArray(responses)) {
      throw new McpError(ErrorCode.InvalidParams, "Invalid params: /inputResponses must be an object");
    }
    Object.assign(answers, responses);
  }
  return answers;
}

export { errorMessage };
