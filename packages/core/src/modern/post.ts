/**
 * Modern era (2026-07-28): stateless requests with the `_meta` envelope, `server/discover`,
 * `resultType`, cache hints, and MRTR (`input_required` + sealed `requestState`).
 */
import { Call, type EraLink } from "../call/call.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { McpResult, MethodSpec } from "../definition/method.ts";
import { ErrorCode, McpError } from "../errors.ts";
import { accepted, cannotStream, httpError } from "../http/responses.ts";
import { classify, type JsonRpcRequest } from "../jsonrpc/messages.ts";
import { type LogLevel, META } from "../jsonrpc/protocol.ts";
import { methodSpec } from "../methods/table.ts";
import { checkMirrorHeaders, type Envelope, readEnvelope } from "./_envelope.ts";
import { listen } from "./_listen.ts";
import { gatheredAnswers, InputCollector, invokeWithInputs, isRetry, targetOf } from "./_mrtr.ts";

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
  const installed = rt.server.method(c.message.method);
  const mirrored = checkMirrorHeaders(incoming.request, c.message, installed?.spec, rt.server);
  if (mirrored) return mirrored;
  if (c.kind === "notification") return accepted();
  const message = c.message;
  if (message.method === "subscriptions/listen") {
    if (incoming.host.canStream === false) return cannotStream();
    return listen(rt, incoming, message);
  }
  let spec: MethodSpec;
  try {
    spec = methodSpec(rt.server, message.method, "modern", envelope.protocolVersion);
  } catch (error) {
    return httpError(404, ErrorCode.MethodNotFound, (error as McpError).message, { id: message.id });
  }
  return await serve(rt, incoming, message, envelope, spec);
}

function serverMeta(rt: Runtime, extra?: Record<string, unknown>): Record<string, unknown> {
  return { ...extra, [META.serverInfo]: rt.server.info };
}

/** A complete result: `resultType`, the server's `_meta`, and cache hints on cacheable methods. */
function complete(rt: Runtime, spec: MethodSpec, result: McpResult): McpResult {
  const out: McpResult = { ...result, resultType: "complete" };
  out._meta = serverMeta(rt, result._meta as Record<string, unknown> | undefined);
  if (spec.cacheable) {
    out.ttlMs ??= rt.options.cache.ttlMs;
    out.cacheScope ??= rt.options.cache.scope;
  }
  return out;
}

function serve(
  rt: Runtime,
  incoming: Incoming,
  message: JsonRpcRequest,
  envelope: Envelope,
  spec: MethodSpec,
): Promise<Response> {
  let collector: InputCollector | undefined;
  const link: EraLink = {
    era: "modern",
    protocolVersion: envelope.protocolVersion,
    sessionId: undefined,
    clientCapabilities: envelope.clientCapabilities,
    clientInfo: envelope.clientInfo,
    session: undefined,
    logLevel: () => envelope.logLevel as LogLevel | undefined,
    ask: (requests, call) => {
      if (!call.spec.mrtr || collector === undefined)
        throw new McpError(ErrorCode.InvalidRequest, `${call.method} cannot ask the client for input`);
      return collector.ask(requests);
    },
    closeStream: () => {},
  };
  const call = new Call(rt, incoming, message, spec, link);
  return call.respond(async (c) => {
    if (!spec.mrtr) return complete(rt, spec, await c.invoke());
    const { params } = c;
    const answers = isRetry(params)
      ? await gatheredAnswers(rt, incoming, c.method, targetOf(params), params)
      : {};
    collector = new InputCollector(answers, envelope.clientCapabilities);
    const { result, inputRequired } = await invokeWithInputs(c, collector, serverMeta(rt));
    return inputRequired ?? complete(rt, spec, result ?? {});
  }, statusOf);
}
