/**
 * A request inside a legacy session: a {@link Call} whose answer persists every streamed event (so
 * the client can resume it with `Last-Event-ID` on any instance), whose cancellation arrives over
 * the bus, and whose server→client requests are answered by a POST that may land anywhere.
 */
import { Call, type EraLink } from "../call/call.ts";
import { assertCapability } from "../call/input-capability.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { InputRequest } from "../definition/context.ts";
import type { MethodSpec } from "../definition/method.ts";
import { ErrorCode, McpError } from "../errors.ts";
import type { JsonRpcRequest, JsonRpcResponse } from "../jsonrpc/messages.ts";
import { randomId } from "../util/encoding.ts";
import { appendEvent, awaitReply, cancelListener, type SessionState, updateSession } from "./_session.ts";

export const SESSION_HEADER = "mcp-session-id";

export interface LiveSession {
  id: string;
  state: SessionState;
}

/** What a session tells its calls, whatever the stream (a batch has none). */
export function sessionLink(
  rt: Runtime,
  session: LiveSession,
): Omit<EraLink, "ask" | "closeStream" | "logLevel"> {
  return {
    era: "legacy",
    protocolVersion: session.state.protocolVersion,
    sessionId: session.id,
    clientCapabilities: session.state.clientCapabilities,
    clientInfo: session.state.clientInfo ?? undefined,
    session: {
      update: async (change) => {
        session.state = change(session.state) as SessionState;
        await updateSession(rt.stores, session.id, rt.options.sessionTtlMs, (s) => ({ ...s, ...change(s) }));
      },
    },
  };
}

/** Serves one request of a session; streamed events are persisted for `Last-Event-ID`. */
export function sessionRequest(
  rt: Runtime,
  incoming: Incoming,
  session: LiveSession,
  message: JsonRpcRequest,
  spec: MethodSpec,
): Promise<Response> {
  // Named when the first event is stored: a plain JSON answer never needs one.
  let streamId: string | undefined;
  let cancellation: { start(): void; stop(): void } | undefined;
  const link: EraLink = {
    ...sessionLink(rt, session),
    logLevel: () => session.state.logLevel ?? "debug",
    ask: (requests, call) => ask(rt, incoming, session, requests, call),
    closeStream: (ms) => call.exchange.detach(ms ?? rt.options.retryMs),
    observe: (c) => {
      cancellation = cancelListener(
        rt.stores,
        session.id,
        c.requestId,
        () => c.abort(new Error("cancelled")),
        (error) => rt.report(error, "cancel subscription"),
      );
      cancellation.start();
    },
    done: () => cancellation?.stop(),
    stream: {
      headers: { [SESSION_HEADER]: session.id },
      primingRetryMs: rt.options.retryMs,
      persist: (msg) => {
        streamId ??= randomId(16);
        return appendEvent(rt.stores, session.id, streamId, msg, call.waitUntil);
      },
    },
  };
  const call: Call = new Call(rt, incoming, message, spec, link);
  return call.respond(async (c) => c.invoke());
}

/** Server→client requests over the stream; each reply arrives as a POST on any instance. */
async function ask(
  rt: Runtime,
  incoming: Incoming,
  session: LiveSession,
  requests: Record<string, InputRequest>,
  call: Call,
): Promise<Record<string, unknown>> {
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
      const waiting = awaitReply(rt.stores, session.id, id, AbortSignal.any([call.signal, timeout]));
      await call.exchange.send({ jsonrpc: "2.0", id, method: r.method, params: r.params ?? {} });
      const reply = (await waiting) as unknown as JsonRpcResponse;
      if ("error" in reply) throw new McpError(reply.error.code, reply.error.message, reply.error.data);
      return reply.result;
    }),
  );
  return Object.fromEntries(entries.map(([key], i) => [key, answers[i]]));
}
