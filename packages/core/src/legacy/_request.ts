/**
 * A request inside a legacy session: a {@link Call} whose answer persists every streamed event (so
 * the client can resume it with `Last-Event-ID` on any instance), whose cancellation arrives over
 * the bus, and whose server→client requests are answered by a POST that may land anywhere.
 */
import { Call, type EraLink } from "../call/call.ts";
import { assertCapability } from "../call/input-capability.ts";
import { isAnswerShaped } from "../call/inputs.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { InputRequest } from "../definition/context.ts";
import type { MethodSpec, SessionFields, SessionHandle } from "../definition/method.ts";
import { ErrorCode, McpError } from "../errors.ts";
import { httpError } from "../http/responses.ts";
import type { JsonRpcRequest, JsonRpcResponse } from "../jsonrpc/messages.ts";
import { isLegacyVersion, LATEST_LEGACY_VERSION, type LogLevel } from "../jsonrpc/protocol.ts";
import { randomId } from "../util/encoding.ts";
import { CallLease } from "./_lease.ts";
import {
  appendEvent,
  awaitReply,
  cancelListener,
  lifetimeOf,
  loadSession,
  type SessionState,
  updateSession,
} from "./_session.ts";

export const SESSION_HEADER = "mcp-session-id";

/**
 * The 400 a request of a session gets when its `MCP-Protocol-Version` header names a version this
 * era does not speak (POST, GET and DELETE alike); `undefined` when it is absent or spoken.
 */
export function unsupportedVersion(request: Request): Response | undefined {
  const version = request.headers.get("mcp-protocol-version");
  if (version === null || isLegacyVersion(version)) return undefined;
  return httpError(400, ErrorCode.InvalidRequest, `Bad Request: unsupported protocol version ${version}`, {
    data: { supported: [LATEST_LEGACY_VERSION], requested: version },
  });
}

/** Whether `message` is the final response to request `requestId`. */
function isFinal(message: unknown, requestId: string | number | undefined): boolean {
  if (typeof message !== "object" || message === null || "method" in message) return false;
  return (message as { id?: unknown }).id === requestId && ("result" in message || "error" in message);
}

/**
 * Whether `next` (`state` with a change applied) holds what `state` does: every member the same
 * value, or an array of the same items (`subscriptions`). Costs a look at the record's top-level
 * members, never at `clientCapabilities`' contents (a change keeps that object as it is).
 */
function sameState(state: SessionState, next: SessionState): boolean {
  const before = state as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(next)) {
    const old = before[key];
    if (value === old) continue;
    if (!Array.isArray(value) || !Array.isArray(old) || value.length !== old.length) return false;
    for (let i = 0; i < value.length; i++) if (value[i] !== old[i]) return false;
  }
  return true;
}

export interface LiveSession {
  id: string;
  state: SessionState;
}

/**
 * What a session tells its calls, whatever the stream: its facts, and the session itself for the
 * methods that change it. A batch's calls use it as it is (no stream, no input, no log).
 */
export class SessionLink implements EraLink, SessionHandle {
  readonly era = "legacy";
  readonly protocolVersion: string;
  readonly sessionId: string;
  readonly clientCapabilities: Record<string, unknown>;
  readonly clientInfo: Record<string, unknown> | undefined;
  readonly session: SessionHandle = this;
  readonly stream: NonNullable<EraLink["stream"]> = { canStream: false };
  protected readonly rt: Runtime;
  protected readonly live: LiveSession;

  constructor(rt: Runtime, live: LiveSession) {
    this.rt = rt;
    this.live = live;
    this.protocolVersion = live.state.protocolVersion;
    this.sessionId = live.id;
    this.clientCapabilities = live.state.clientCapabilities;
    this.clientInfo = live.state.clientInfo ?? undefined;
  }

  /**
   * Applies `change` to the stored record (compare-and-set). A change that leaves the record as
   * stored (the level it has, a URI already subscribed) writes nothing: decided on the record read
   * for the compare-and-set, so a change another instance made meanwhile is never taken for "no
   * change".
   */
  async update(change: (fields: SessionFields) => SessionFields): Promise<void> {
    const { rt, live } = this;
    live.state = change(live.state) as SessionState;
    await updateSession(rt.stores, live.id, lifetimeOf(rt), (s) => {
      const next = { ...s, ...change(s) };
      return sameState(s, next) ? undefined : next;
    });
  }

  logLevel(): LogLevel | undefined {
    return undefined;
  }

  async ask(_requests: Record<string, InputRequest>, _call: Call): Promise<Record<string, unknown>> {
    throw new McpError(ErrorCode.InvalidRequest, "Server requests are not available inside a batch");
  }

  closeStream(): void {}
}

/**
 * A request's link to its session: streamed events persisted for `Last-Event-ID`, cancellation
 * heard over the bus once the handler looks at its signal, input asked over the stream.
 */
class RequestLink extends SessionLink {
  override readonly stream: NonNullable<EraLink["stream"]>;
  readonly #incoming: Incoming;
  #call: Call | undefined;
  /** Named when the first event is stored: a plain JSON answer never needs one. */
  #streamId: string | undefined;
  #cancellation: ReturnType<typeof cancelListener> | undefined;
  #lease: CallLease | undefined;
  /** The method returned or threw: no lease is started any more (nothing would stop it). */
  #done = false;

  constructor(rt: Runtime, incoming: Incoming, live: LiveSession) {
    super(rt, live);
    this.#incoming = incoming;
    this.stream = {
      headers: { [SESSION_HEADER]: live.id },
      primingRetryMs: rt.options.retryMs,
      persist: async (message) => {
        // `r-`: a request stream is never taken for a standalone one (`get-…`) when resumed.
        this.#streamId ??= `r-${randomId(16)}`;
        if (this.#lease === undefined) {
          // Its owner lease, before its first event. One the store refused is reported and tried
          // again with the next event: until it is recorded, a client resuming the stream would
          // be told the call had ended while it runs on.
          try {
            await this.#startLease(this.#streamId);
          } catch (error) {
            rt.report(error, "stream lease");
          }
        }
        const id = await appendEvent(rt.stores, live.id, this.#streamId, message, this.#call?.waitUntil);
        if (isFinal(message, this.#call?.requestId)) await this.#lease?.finish();
        return id;
      },
    };
  }

  /**
   * The stream's owner lease, recorded before its first event (see _lease.ts) — unless the call has
   * already returned: its final response follows at once, and nothing would stop the heartbeat.
   */
  async #startLease(streamId: string): Promise<void> {
    const call = this.#call;
    if (call === undefined || this.#done) return;
    const { rt, live } = this;
    this.#lease = new CallLease(
      rt.stores,
      { sessionId: live.id, streamId, requestId: call.requestId },
      { leaseMs: rt.options.leaseMs, ttlMs: lifetimeOf(rt).idleMs },
      () => call.abort(new Error("another instance declared this call's owner gone")),
      {
        alive: async () => {
          const session = await loadSession(rt.stores, live.id);
          return session !== undefined && session.state.closed !== true;
        },
        gone: () => call.abort(new Error("session closed")),
      },
    );
    try {
      await this.#lease.start();
    } catch (error) {
      this.#lease = undefined; // not recorded: the next event tries again
      throw error;
    }
    // The call returned while the lease was being recorded: `done()` found no heartbeat to stop.
    if (this.#done) this.#lease.stop();
  }

  bind(call: Call): Call {
    this.#call = call;
    return call;
  }

  override logLevel(): LogLevel | undefined {
    return this.live.state.logLevel ?? "debug";
  }

  override async ask(requests: Record<string, InputRequest>, call: Call): Promise<Record<string, unknown>> {
    // From here on the call hears cancellation and the session's end (DELETE): a wait for the
    // client's reply ends with them. A DELETE that came before that was heard is read here.
    void call.signal;
    this.#cancellation?.watchSession();
    await this.#cancellation?.ready();
    const live = await loadSession(this.rt.stores, this.live.id);
    if (live === undefined || live.state.closed === true) {
      throw new McpError(
        ErrorCode.InternalError,
        "The session was closed: the client cannot be asked for input",
      );
    }
    return ask(this.rt, this.#incoming, this.live, requests, call);
  }

  override closeStream(retryMs?: number): void {
    this.#call?.exchange.detach(retryMs ?? this.rt.options.retryMs);
  }

  observe(call: Call): void {
    const { rt, live } = this;
    this.#cancellation = cancelListener(
      rt.stores,
      live.id,
      call.requestId,
      (reason) => call.abort(new Error(reason)),
      (error) => rt.report(error, "cancel subscription"),
    );
    this.#cancellation.start();
  }

  done(): void {
    this.#done = true;
    this.#cancellation?.stop();
    this.#lease?.stop();
  }
}

/** Serves one request of a session; streamed events are persisted for `Last-Event-ID`. */
export function sessionRequest(
  rt: Runtime,
  incoming: Incoming,
  session: LiveSession,
  message: JsonRpcRequest,
  spec: MethodSpec,
): Promise<Response> {
  const link = new RequestLink(rt, incoming, session);
  return link.bind(new Call(rt, incoming, message, spec, link)).respond(invoke);
}

const invoke = async (call: Call) => call.invoke();

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
      const slot = rt.replies.take(session.id);
      if (slot === undefined) {
        throw new McpError(
          ErrorCode.InternalError,
          `Too many requests to the client await a reply in this session (maxPendingReplies ${rt.replies.limit})`,
        );
      }
      try {
        const id = `s-${randomId(12)}`;
        const timeout = AbortSignal.timeout(rt.options.replyTimeoutMs);
        const signal = AbortSignal.any([call.signal, timeout]);
        const waiting = await awaitReply(rt.stores, session.id, id, signal, rt.options.replyTimeoutMs, (e) =>
          call.report(e, "reply subscription"),
        );
        // Should the send fail, the wait still ends (abort or timeout): its rejection is not unhandled.
        waiting.reply.catch(() => {});
        await call.exchange.send({ jsonrpc: "2.0", id, method: r.method, params: r.params ?? {} });
        const reply = (await waiting.reply) as unknown as JsonRpcResponse;
        if ("error" in reply) throw new McpError(reply.error.code, reply.error.message, reply.error.data);
        // As the modern era does with an input response: a reply of the wrong shape is no answer.
        if (!isAnswerShaped(r, reply.result)) {
          throw new McpError(
            ErrorCode.InvalidParams,
            `Invalid params: the client's reply to ${r.method} is not a result of that request`,
          );
        }
        return reply.result;
      } finally {
        void slot.unsubscribe();
      }
    }),
  );
  return Object.fromEntries(entries.map(([key], i) => [key, answers[i]]));
}
