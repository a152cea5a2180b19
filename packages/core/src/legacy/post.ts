/**
 * Legacy era (2024-11-05 … 2025-11-25) POST handling: initialize, sessions, notifications, client
 * replies, batches (2025-03-26), and requests (legacy/request.ts).
 */

import { principalOf } from "../auth/principal.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { MethodSpec } from "../definition/method.ts";
import { ErrorCode } from "../errors.ts";
import { accepted, httpError, jsonResponse } from "../http/responses.ts";
import { classify } from "../jsonrpc/messages.ts";
import { toWireError } from "../jsonrpc/wire-error.ts";
import { methodSpec } from "../methods/table.ts";
import type { JsonValue } from "../stores/types.ts";
import { batch } from "./_batch.ts";
import { initialize } from "./_initialize.ts";
import { notification } from "./_messages.ts";
import { type LiveSession, SESSION_HEADER, sessionRequest, unsupportedVersion } from "./_request.ts";
import { deliverReply, lifetimeOf, openSession } from "./_session.ts";

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
  const session = await openSession(rt.stores, sessionId, principalOf(incoming.auth), lifetimeOf(rt));
  if (session === undefined) return httpError(404, ErrorCode.SessionNotFound, "Session not found");
  const refused = unsupportedVersion(incoming.request);
  if (refused !== undefined) return refused;
  const live: LiveSession = { id: sessionId, state: session.state };
  if (Array.isArray(body)) return batch(rt, incoming, live, body);
  const c = firstClass; // the body is a single message: already classified
  switch (c.kind) {
    case "invalid":
      return httpError(400, ErrorCode.InvalidRequest, `Invalid Request: ${c.reason}`, { id: c.id });
    case "response": {
      const message = c.message as unknown as JsonValue & object;
      const delivered = await deliverReply(rt.stores, sessionId, message, rt.options.replyTimeoutMs, (e) =>
        rt.report(e, "reply wake-up"),
      );
      if (delivered) return accepted();
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
