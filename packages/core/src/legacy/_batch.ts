/** 2025-03-26 batches: answered as one JSON array; server→client requests are not available inside. */
import { Call } from "../call/call.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import { ErrorCode, McpError } from "../errors.ts";
import { accepted, httpError, jsonResponse, unwritable } from "../http/responses.ts";
import { classify, type JsonRpcMessage, resultMessage } from "../jsonrpc/messages.ts";
import { toWireError } from "../jsonrpc/wire-error.ts";
import { methodSpec } from "../methods/table.ts";
import type { JsonValue } from "../stores/types.ts";
import { writableJson } from "../util/writable-json.ts";
import { notification } from "./_messages.ts";
import { type LiveSession, SESSION_HEADER, SessionLink } from "./_request.ts";
import { deliverReply } from "./_session.ts";

/**
 * Most messages in one batch. Each is work of its own (a call, a session write), and a batch
 * answers nothing until its last message is done: a larger batch is refused as a whole (400,
 * -32600), before any of it runs, as an empty one is. The 2025-03-26 specification sets no number;
 * send more messages as more POSTs.
 */
export const MAX_BATCH_MESSAGES = 100;

export async function batch(
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
  if (body.length > MAX_BATCH_MESSAGES) {
    return httpError(
      400,
      ErrorCode.InvalidRequest,
      `Invalid Request: a batch holds at most ${MAX_BATCH_MESSAGES} messages, this one ${body.length}`,
    );
  }
  const link = new SessionLink(rt, session);
  const replies: JsonRpcMessage[] = [];
  for (const item of body) {
    const c = classify(item);
    if (c.kind === "invalid")
      replies.push(toWireError(new McpError(ErrorCode.InvalidRequest, c.reason), c.id, rt.report, "batch"));
    else if (c.kind === "response")
      // A batch has no answer per response: a reply nobody awaits is dropped (a lone one gets 400).
      await deliverReply(
        rt.stores,
        session.id,
        c.message as unknown as JsonValue & object,
        rt.options.replyTimeoutMs,
        (e) => rt.report(e, "reply wake-up"),
      );
    else if (c.kind === "notification")
      await notification(rt, session, c.message.method, c.message.params ?? {});
    else {
      try {
        const call = new Call(
          rt,
          incoming,
          c.message,
          methodSpec(rt.server, c.message.method, "legacy", session.state.protocolVersion),
          link,
        );
        try {
          replies.push(resultMessage(c.message.id, await call.invoke()));
        } finally {
          call.dispose();
        }
      } catch (error) {
        replies.push(toWireError(error, c.message.id, rt.report, c.message.method));
      }
    }
  }
  if (replies.length === 0) return accepted();
  const headers = { [SESSION_HEADER]: session.id };
  try {
    return jsonResponse(replies, 200, headers);
  } catch (error) {
    // A result that is not JSON (a BigInt, a cycle, nesting too deep): its item says so, the rest stand.
    rt.report(error, "batch");
    return jsonResponse(
      replies.map((reply) => (writableJson(reply) ? reply : unwritable(reply))),
      200,
      headers,
    );
  }
}
