/**
 * `initialize`: the request that opens a legacy session. It is served as a {@link Call} through the
 * server's middleware like every other request (a request line, metrics, a span, rate limits and
 * audits see it), whose method checks the client's state, takes the session's places (`admit`) and
 * records the session. Its answer carries `Mcp-Session-Id` only when the whole chain succeeded; a
 * session recorded by a call that failed after all is ended again.
 */
import { principalOf } from "../auth/principal.ts";
import { Call, type EraLink } from "../call/call.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { InputRequest } from "../definition/context.ts";
import type { McpResult, MethodSpec } from "../definition/method.ts";
import { ErrorCode, McpError, StoreUnavailableError } from "../errors.ts";
import type { JsonRpcRequest } from "../jsonrpc/messages.ts";
import { isLegacyVersion, LATEST_LEGACY_VERSION } from "../jsonrpc/protocol.ts";
import { capabilitiesOf } from "../methods/table.ts";
import { randomId } from "../util/encoding.ts";
import { admit, release } from "./_admit.ts";
import { SESSION_HEADER } from "./_request.ts";
import { createSession, deleteSession, lifetimeOf, type SessionState, sessionTtl } from "./_session.ts";

/** The most characters of JSON a session keeps of the client's `capabilities` and `clientInfo`. */
export const MAX_CLIENT_STATE_CHARS = 64 * 1024;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Why `initialize`'s `capabilities` and `clientInfo` cannot be kept in the session record, or
 * `undefined`: they must be objects (`clientInfo` may be absent), and the record has to fit every
 * store (a DynamoDB item is at most 400 KB), so together at most `MAX_CLIENT_STATE_CHARS` of JSON.
 */
function clientStateProblem(capabilities: unknown, clientInfo: unknown): string | undefined {
  if (capabilities !== undefined && !isRecord(capabilities)) return "/capabilities must be an object";
  if (clientInfo !== undefined && !isRecord(clientInfo)) return "/clientInfo must be an object";
  const size = JSON.stringify([capabilities ?? {}, clientInfo ?? null]).length;
  if (size > MAX_CLIENT_STATE_CHARS) {
    return `capabilities and clientInfo take ${size} characters of JSON; a session keeps at most ${MAX_CLIENT_STATE_CHARS}`;
  }
  return undefined;
}

/** The version the server agrees on: the client's when the server speaks it, else the latest. */
function agreedVersion(params: Record<string, unknown>): string {
  const requested = params.protocolVersion;
  return typeof requested === "string" && isLegacyVersion(requested) ? requested : LATEST_LEGACY_VERSION;
}

/**
 * What the opening call knows: the version it will agree on, the id of the session it opens (in
 * every log line and span of the call; the session exists once the call succeeds) and the client's
 * declared state. Nothing can be sent ahead of the answer, nor asked of the client.
 */
class OpeningLink implements EraLink {
  readonly era = "legacy";
  readonly protocolVersion: string;
  readonly sessionId = randomId(32);
  readonly clientCapabilities: Record<string, unknown>;
  readonly clientInfo: Record<string, unknown> | undefined;
  readonly session = undefined;
  /** The answer's headers: `Mcp-Session-Id` once the call succeeded. */
  readonly #headers: Record<string, string> = {};
  readonly stream = { canStream: false, headers: this.#headers };
  /** The session's record once stored (the method ran to its end). */
  recorded: SessionState | undefined;

  constructor(params: Record<string, unknown>) {
    this.protocolVersion = agreedVersion(params);
    this.clientCapabilities = isRecord(params.capabilities) ? params.capabilities : {};
    this.clientInfo = isRecord(params.clientInfo) ? params.clientInfo : undefined;
  }

  logLevel(): undefined {
    return undefined;
  }

  async ask(_requests: Record<string, InputRequest>): Promise<Record<string, unknown>> {
    throw new McpError(ErrorCode.InvalidRequest, "initialize cannot ask the client for input");
  }

  closeStream(): void {}

  /** Names the session in the answer: the whole chain succeeded with it recorded. */
  opened(): void {
    this.#headers[SESSION_HEADER] = this.sessionId;
  }

  /**
   * The HTTP status of a failed `initialize` (a {@link RefusedError}, the session's own refusals
   * included, answers with its own): 500 for an internal error (a crash in the method or a
   * middleware), 400 for every other error: the client's request was refused.
   */
  status(code: number): number {
    return code === ErrorCode.InternalError ? 500 : 400;
  }
}

/**
 * Checks the client's state, takes the session's places and records it; the InitializeResult.
 * `params` are the call's, as the middleware left them (one may hide a client capability).
 */
async function open(rt: Runtime, incoming: Incoming, params: Record<string, unknown>, link: OpeningLink) {
  if (typeof params.protocolVersion !== "string") {
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /protocolVersion is required");
  }
  const problem = clientStateProblem(params.capabilities, params.clientInfo);
  if (problem !== undefined) throw new McpError(ErrorCode.InvalidParams, `Invalid params: ${problem}`);
  const protocolVersion = agreedVersion(params);
  const state: SessionState = {
    protocolVersion,
    clientCapabilities: (params.capabilities as Record<string, unknown> | undefined) ?? {},
    clientInfo: (params.clientInfo as Record<string, unknown> | undefined) ?? null,
    logLevel: null,
    subscriptions: [],
  };
  const principal = principalOf(incoming.auth);
  if (principal !== null) state.principal = principal;
  if (rt.options.sessionMaxLifetimeMs !== undefined) state.createdAt = Date.now();
  const refused = await admit(rt, state, link.sessionId, incoming.host.clientAddress);
  if (refused !== undefined) throw refused;
  // The places admit took are given back when the record cannot be written: else each failed
  // initialize during an outage would hold one in maxSessions for a whole session lifetime.
  let created: boolean;
  try {
    created = await createSession(
      rt.stores,
      link.sessionId,
      state,
      sessionTtl(state, lifetimeOf(rt), Date.now()),
    );
  } catch (error) {
    await release(rt, link.sessionId, state).catch(() => {});
    throw error;
  }
  if (!created) {
    // A fresh random id taken: the store refused the write (not a session the client can use).
    await release(rt, link.sessionId, state).catch(() => {});
    throw new StoreUnavailableError("session storage did not record the new session");
  }
  link.recorded = state;
  const result: McpResult = {
    protocolVersion,
    capabilities: capabilitiesOf(rt.server, "legacy"),
    serverInfo: rt.server.info,
  };
  if (rt.server.instructions !== undefined) result.instructions = rt.server.instructions;
  return result;
}

/** Serves `initialize` (not in a batch: the caller refused that). */
export function initialize(rt: Runtime, incoming: Incoming, message: JsonRpcRequest): Promise<Response> {
  const link = new OpeningLink(message.params ?? {});
  const spec: MethodSpec = { eras: ["legacy"], handler: (call) => open(rt, incoming, call.params, link) };
  const call = new Call(rt, incoming, message, spec, link);
  return call.respond(
    async (c) => {
      try {
        const result = await c.invoke();
        if (link.recorded !== undefined) link.opened();
        return result;
      } catch (error) {
        if (link.recorded !== undefined) await undo(rt, link.sessionId, link.recorded, c);
        throw error;
      }
    },
    (code) => link.status(code),
  );
}

/**
 * Ends a session recorded by a call that failed after all (a middleware threw once `next()` had
 * resolved): the client never learns its id, so it would only hold its places until it expired.
 */
async function undo(rt: Runtime, sessionId: string, state: SessionState, call: Call): Promise<void> {
  try {
    await deleteSession(rt.stores, sessionId);
    await release(rt, sessionId, state);
  } catch (error) {
    call.report(error, "initialize: ending a session that failed to open");
  }
}
