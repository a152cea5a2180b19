/**
 * Legacy era (2024-11-05 … 2025-11-25) POST handling: initialize, sessions, notifications,
 * client replies, batches (2025-03-26), and requests answered as JSON or SSE.
 */
import { type ContextParts, createContext } from "../call/context.ts";
import { randomId } from "../util/encoding.ts";
import { toWireError } from "../jsonrpc/wire-error.ts";
import { Exchange } from "../http/exchange.ts";
import { accepted, httpError, jsonResponse } from "../http/responses.ts";
import { assertCapability } from "../modern/inputs.ts";
import {
  classify,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
  resultMessage,
} from "../jsonrpc/messages.ts";
import { serverCapabilities, sharedMethod } from "../methods/table.ts";
import { isLegacyVersion, LATEST_LEGACY_VERSION, LOG_LEVELS, type LogLevel } from "../jsonrpc/protocol.ts";
import { type Incoming, RequestAbort, type Runtime, waitUntilOf } from "../call/runtime.ts";
import {
  awaitReply,
  cancelListener,
  createSession,
  deliverReply,
  loadSession,
  type SessionState,
  topics,
  updateSession,
} from "./session.ts";
import type { InputRequest } from "../definition/context.ts";
import { ErrorCode, McpError } from "../errors.ts";
import type { JsonValue } from "../stores/types.ts";

const SESSION_HEADER = "mcp-session-id";

export async function legacyPost(rt: Runtime, incoming: Incoming, body: unknown): Promise<Response> {
  const first = Array.isArray(body) ? body[0] : body;
  const firstClass = classify(first);
  if (firstClass.kind === "request" && firstClass.message.method === "initialize") {
    if (Array.isArray(body))
      return httpError(400, ErrorCode.InvalidRequest, "initialize must not be part of a batch");
    return initialize(rt, incoming, firstClass.message);
  }
  const sessionId = incoming.request.headers.get(SESSION_HEADER);
  if (sessionId === null || sessionId === "") {
    return httpError(400, ErrorCode.SessionRequired, "Bad Request: the Mcp-Session-Id header is required");
  }
  const session = await loadSession(rt.stores, sessionId);
  if (session === undefined) return httpError(404, ErrorCode.SessionNotFound, "Session not found");
  const version = incoming.request.headers.get("mcp-protocol-version");
  if (version !== null && !isLegacyVersion(version)) {
    return httpError(400, ErrorCode.InvalidRequest, `Bad Request: unsupported protocol version ${version}`, {
      data: { supported: [LATEST_LEGACY_VERSION], requested: version },
    });
  }
  const live: LiveSession = { id: sessionId, state: session.state };
  if (Array.isArray(body)) return batch(rt, incoming, live, body);
  const c = firstClass; // the body is a single message: already classified
  switch (c.kind) {
    case "invalid":
      return httpError(400, ErrorCode.InvalidRequest, `Invalid Request: ${c.reason}`, { id: c.id });
    case "response":
      await deliverReply(
        rt.stores,
        sessionId,
        c.message as unknown as JsonValue & object,
        rt.options.replyTimeoutMs,
      );
      return accepted();
    case "notification":
      await notification(rt, live, c.message.method, c.message.params ?? {});
      return accepted();
    case "request":
      return await request(rt, incoming, live, c.message);
  }
}

interface LiveSession {
  id: string;
  state: SessionState;
}

type StreamParts = Pick<
  ContextParts,
  "signal" | "progressToken" | "logLevel" | "notify" | "ask" | "closeStream"
>;

/** The handler context of a request inside a legacy session; `parts` say how it talks back. */
function sessionContext(
  incoming: Incoming,
  session: LiveSession,
  requestId: string | number,
  parts: StreamParts,
) {
  return createContext({
    ...parts,
    requestId,
    era: "legacy",
    protocolVersion: session.state.protocolVersion,
    sessionId: session.id,
    auth: incoming.auth,
    env: incoming.env,
    headers: incoming.request.headers,
    clientCapabilities: session.state.clientCapabilities,
    clientInfo: session.state.clientInfo ?? undefined,
    waitUntil: waitUntilOf(incoming),
  });
}

async function initialize(rt: Runtime, incoming: Incoming, message: JsonRpcRequest): Promise<Response> {
  const params = message.params ?? {};
  const requested = typeof params.protocolVersion === "string" ? params.protocolVersion : undefined;
  if (requested === undefined) {
    return jsonResponse(
      toWireError(
        new McpError(ErrorCode.InvalidParams, "Invalid params: /protocolVersion is required"),
        message.id,
        rt.report,
        "initialize",
      ),
      400,
    );
  }
  const protocolVersion = isLegacyVersion(requested) ? requested : LATEST_LEGACY_VERSION;
  const sessionId = randomId(32);
  const state: SessionState = {
    protocolVersion,
    clientCapabilities: (params.capabilities as Record<string, unknown> | undefined) ?? {},
    clientInfo: (params.clientInfo as Record<string, unknown> | undefined) ?? null,
    logLevel: null,
    subscriptions: [],
  };
  await createSession(rt.stores, sessionId, state, rt.options.sessionTtlMs);
  const result: Record<string, unknown> = {
    protocolVersion,
    capabilities: serverCapabilities(rt.server),
    serverInfo: rt.server.info,
  };
  if (rt.server.instructions !== undefined) result.instructions = rt.server.instructions;
  void incoming;
  return jsonResponse(resultMessage(message.id, result), 200, { [SESSION_HEADER]: sessionId });
}

async function notification(
  rt: Runtime,
  session: LiveSession,
  method: string,
  params: Record<string, unknown>,
) {
  if (
    method === "notifications/cancelled" &&
    (typeof params.requestId === "string" || typeof params.requestId === "number")
  ) {
    await rt.stores.bus.publish(topics.cancel(session.id, params.requestId), { type: "cancel" });
  }
  // notifications/initialized, roots/list_changed and unknown notifications need no action.
}

async function request(
  rt: Runtime,
  incoming: Incoming,
  session: LiveSession,
  message: JsonRpcRequest,
): Promise<Response> {
  // Named when the first event is stored: a plain JSON answer never needs one.
  let streamId: string | undefined;
  // Disconnection is not cancellation once the answer is a resumable stream (spec); a client
  // that drops a plain JSON answer can never receive it, so that work is stopped.
  const abort = new RequestAbort(rt, incoming, () => !exchange.streaming);
  const signal = (): AbortSignal => {
    cancellation.start();
    return abort.signal;
  };
  const exchange: Exchange = new Exchange({
    keepAliveMs: rt.options.keepAliveMs,
    canStream: incoming.host.canStream !== false,
    headers: { [SESSION_HEADER]: session.id },
    primingRetryMs: rt.options.retryMs,
    persist: async (msg) => {
      streamId ??= randomId(16);
      const id = await rt.stores.events.append(session.id, streamId, msg);
      // Wakes a client's resumed stream on another instance. Not awaited (the event is stored), but
      // kept alive with waitUntil: hosts like Workers cancel work nobody waits for.
      if (msg !== null)
        waitUntilOf(incoming)(rt.stores.bus.publish(topics.stream(session.id, streamId), { type: "event" }));
      return id;
    },
  });
  const cancellation = cancelListener(
    rt.stores,
    session.id,
    message.id,
    () => abort.abort(new Error("cancelled")),
    (error) => rt.report(error, "cancel subscription"),
  );
  const ask = async (requests: Record<string, InputRequest>) => {
    const entries = Object.entries(requests);
    for (const [, r] of entries) assertCapability(r, session.state.clientCapabilities);
    if (incoming.host.canStream === false) {
      throw new McpError(
        ErrorCode.InternalError,
        "This endpoint cannot stream, so it cannot ask the client for input; use a streaming endpoint or protocol 2026-07-28",
      );
    }
    const answers = await Promise.all(
      entries.map(async ([, r]) => {
        const id = `s-${randomId(12)}`;
        const timeout = AbortSignal.timeout(rt.options.replyTimeoutMs);
        const waiting = awaitReply(rt.stores, session.id, id, AbortSignal.any([signal(), timeout]));
        await exchange.send({ jsonrpc: "2.0", id, method: r.method, params: r.params ?? {} });
        const reply = (await waiting) as unknown as JsonRpcResponse;
        if ("error" in reply) throw new McpError(reply.error.code, reply.error.message, reply.error.data);
        return reply.result;
      }),
    );
    return Object.fromEntries(entries.map(([key], i) => [key, answers[i]]));
  };
  const params = message.params ?? {};
  const meta = (params._meta ?? {}) as Record<string, unknown>;
  const ctx = sessionContext(incoming, session, message.id, {
    signal,
    progressToken: meta.progressToken as string | number | undefined,
    logLevel: () => session.state.logLevel ?? "debug",
    notify: (m) => exchange.send(m),
    ask,
    closeStream: (ms) => exchange.detach(ms ?? rt.options.retryMs),
  });
  const run = (async () => {
    let reply: JsonRpcMessage;
    try {
      reply = resultMessage(message.id, await dispatch(rt, session, message.method, params, ctx));
    } catch (error) {
      reply = toWireError(error, message.id, rt.report, message.method);
    } finally {
      cancellation.stop();
      abort.dispose();
    }
    await exchange.complete(reply).catch((e) => rt.report(e, "legacy stream"));
  })();
  // Work that outlives the response only exists once it streams; a JSON answer is already final.
  exchange.whenStreaming(() => waitUntilOf(incoming)(run));
  return await exchange.response;
}

async function dispatch(
  rt: Runtime,
  session: LiveSession,
  method: string,
  params: Record<string, unknown>,
  ctx: ReturnType<typeof createContext>,
): Promise<Record<string, unknown>> {
  switch (method) {
    case "ping":
      return {};
    case "logging/setLevel": {
      const level = params.level;
      if (typeof level !== "string" || !(LOG_LEVELS as readonly string[]).includes(level)) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `Invalid params: /level must be one of ${LOG_LEVELS.join(", ")}`,
        );
      }
      session.state = { ...session.state, logLevel: level as LogLevel };
      await updateSession(rt.stores, session.id, rt.options.sessionTtlMs, (s) => ({
        ...s,
        logLevel: level as LogLevel,
      }));
      return {};
    }
    case "resources/subscribe":
    case "resources/unsubscribe": {
      const uri = params.uri;
      if (typeof uri !== "string")
        throw new McpError(ErrorCode.InvalidParams, "Invalid params: /uri must be a string");
      const add = method === "resources/subscribe";
      await updateSession(rt.stores, session.id, rt.options.sessionTtlMs, (s) => ({
        ...s,
        subscriptions: add
          ? [...new Set([...s.subscriptions, uri])]
          : s.subscriptions.filter((u) => u !== uri),
      }));
      return {};
    }
    case "initialize":
      throw new McpError(ErrorCode.InvalidRequest, "The session is already initialized");
  }
  const result = await sharedMethod(method, params, {
    server: rt.server,
    era: "legacy",
    ctx,
    report: rt.report,
  });
  if (result === undefined) throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
  return result;
}

/** 2025-03-26 batches: answered as one JSON array; server→client requests are not available inside. */
async function batch(
  rt: Runtime,
  incoming: Incoming,
  session: LiveSession,
  body: unknown[],
): Promise<Response> {
  if (session.state.protocolVersion !== "2025-03-26") {
    return httpError(
      400,
      ErrorCode.InvalidRequest,
      `Batches are not supported at protocol version ${session.state.protocolVersion}`,
    );
  }
  if (body.length === 0) return httpError(400, ErrorCode.InvalidRequest, "Invalid Request: empty batch");
  const replies: JsonRpcMessage[] = [];
  for (const item of body) {
    const c = classify(item);
    if (c.kind === "invalid")
      replies.push(toWireError(new McpError(ErrorCode.InvalidRequest, c.reason), c.id, rt.report, "batch"));
    else if (c.kind === "response")
      await deliverReply(
        rt.stores,
        session.id,
        c.message as unknown as JsonValue & object,
        rt.options.replyTimeoutMs,
      );
    else if (c.kind === "notification")
      await notification(rt, session, c.message.method, c.message.params ?? {});
    else {
      const params = c.message.params ?? {};
      const abort = new RequestAbort(rt, incoming);
      const ctx = sessionContext(incoming, session, c.message.id, {
        signal: () => abort.signal,
        progressToken: undefined,
        logLevel: () => undefined,
        notify: async () => {},
        ask: async () => {
          throw new McpError(ErrorCode.InvalidRequest, "Server requests are not available inside a batch");
        },
        closeStream: () => {},
      });
      try {
        replies.push(resultMessage(c.message.id, await dispatch(rt, session, c.message.method, params, ctx)));
      } catch (error) {
        replies.push(toWireError(error, c.message.id, rt.report, c.message.method));
      } finally {
        abort.dispose();
      }
    }
  }
  return replies.length === 0 ? accepted() : jsonResponse(replies, 200, { [SESSION_HEADER]: session.id });
}
