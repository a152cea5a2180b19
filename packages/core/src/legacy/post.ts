/**
 * Legacy era (2024-11-05 … 2025-11-25) POST handling: initialize, sessions, notifications, client
 * replies, batches (2025-03-26), and requests (legacy/request.ts).
 */

import { principalOf } from "../auth/principal.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { MethodSpec } from "../definition/method.ts";
import { ErrorCode, McpError } from "../errors.ts";
import { accepted, httpError, jsonResponse } from "../http/responses.ts";
import { classify, type JsonRpcRequest, resultMessage } from "../jsonrpc/messages.ts";
import { isLegacyVersion, LATEST_LEGACY_VERSION } from "../jsonrpc/protocol.ts";
import { toWireError } from "../jsonrpc/wire-error.ts";
import { capabilitiesOf, methodSpec } from "../methods/table.ts";
import type { JsonValue } from "../stores/types.ts";
import { randomId } from "../util/encoding.ts";
import { admit } from "./_admit.ts";
import { batch } from "./_batch.ts";
import { notification } from "./_messages.ts";
import { type LiveSession, SESSION_HEADER, sessionRequest } from "./_request.ts";
import {
  createSession,
  deliverReply,
  lifetimeOf,
  openSession,
  type SessionState,
  sessionTtl,
} from "./_session.ts";

export async function legacyPost(rt: Runtime, incoming: Incoming, body: unknown): Promise<Response> {
  const first = Array.isArray(body) ? body[0] : body;
  const firstClass = classify(first);
  if (firstClass.kind === "request" && firstClass.message.method === "initialize") {
    if (Array.isArray(body))
      return httpError(400, ErrorCode.InvalidRequest, "initialize must not be part of a batch");
    return initialize(rt, firstClass.message, principalOf(incoming.auth), incoming.host.clientAddress);
  }
  const sessionId = incoming.request.headers.get(SESSION_HEADER);
  if (sessionId === null || sessionId === "") {
    return httpError(400, ErrorCode.SessionRequired, "Bad Request: the Mcp-Session-Id header is required");
  }
  const session = await openSession(rt.stores, sessionId, principalOf(incoming.auth), lifetimeOf(rt));
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
    case "response": {
      const message = c.message as unknown as JsonValue & object;
      if (await deliverReply(rt.stores, sessionId, message, rt.options.replyTimeoutMs)) return accepted();
      return httpError(
        400,
        ErrorCode.InvalidRequest,
        "Bad Request: no server request with this id awaits a reply in this session",
        { id: c.message.id },
      );
    }
    case "notification":
      await notification(rt, live, c.message.method, c.message.params ?? {});
      return accepted();
    case "request": {
      let spec: MethodSpec;
      try {
        spec = methodSpec(rt.server, c.message.method, "legacy", session.state.protocolVersion);
      } catch (error) {
        const headers = { [SESSION_HEADER]: sessionId };
        return jsonResponse(toWireError(error, c.message.id, rt.report, c.message.method), 200, headers);
      }
      return await sessionRequest(rt, incoming, live, c.message, spec);
    }
  }
}

/** The most characters of JSON a session keeps of the client's `capabilities` and `clientInfo`. */
export const MAX_CLIENT_STATE_CHARS = 64 * 1024;

/**
 * Why `initialize`'s `capabilities` and `clientInfo` cannot be kept in the session record, or
 * `undefined`: they must be objects (`clientInfo` may be absent), and the record has to fit every
 * store (a DynamoDB item is at most 400 KB), so together at most `MAX_CLIENT_STATE_CHARS` of JSON.
 */
function clientStateProblem(capabilities: unknown, clientInfo: unknown): string | undefined {
  const isRecord = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  if (capabilities !== undefined && !isRecord(capabilities)) return "/capabilities must be an object";
  if (clientInfo !== undefined && !isRecord(clientInfo)) return "/clientInfo must be an object";
  const size = JSON.stringify([capabilities ?? {}, clientInfo ?? null]).length;
  if (size > MAX_CLIENT_STATE_CHARS) {
    return `capabilities and clientInfo take ${size} characters of JSON; a session keeps at most ${MAX_CLIENT_STATE_CHARS}`;
  }
  return undefined;
}

async function initialize(
  rt: Runtime,
  message: JsonRpcRequest,
  principal: string | null,
  clientAddress: string | undefined,
): Promise<Response> {
  const params = message.params ?? {};
  const requested = typeof params.protocolVersion === "string" ? params.protocolVersion : undefined;
  if (requested === undefined) {
    const error = new McpError(ErrorCode.InvalidParams, "Invalid params: /protocolVersion is required");
    return jsonResponse(toWireError(error, message.id, rt.report, "initialize"), 400);
  }
  const problem = clientStateProblem(params.capabilities, params.clientInfo);
  if (problem !== undefined) {
    const error = new McpError(ErrorCode.InvalidParams, `Invalid params: ${problem}`);
    return jsonResponse(toWireError(error, message.id, rt.report, "initialize"), 400);
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
  if (principal !== null) state.principal = principal;
  if (rt.options.sessionMaxLifetimeMs !== undefined) state.createdAt = Date.now();
  const refused = await admit(rt, state, sessionId, clientAddress, message.id);
  if (refused !== undefined) return refused;
  await createSession(rt.stores, sessionId, state, sessionTtl(state, lifetimeOf(rt), Date.now()));
  const result: Record<string, unknown> = {
    protocolVersion,
    capabilities: capabilitiesOf(rt.server, "legacy"),
    serverInfo: rt.server.info,
  };
  if (rt.server.instructions !== undefined) result.instructions = rt.server.instructions;
  return jsonResponse(resultMessage(message.id, result), 200, { [SESSION_HEADER]: sessionId });
}
