import { type Answer, discardAnswer } from "./_answer.ts";
import type { Connection } from "./_connection.ts";
import { errorMessage, httpErrorFor, INVALID_REQUEST, kindOf } from "./_errors.ts";

/**
 * A batch of notifications and entries that are no JSON-RPC message (no request): the handler's
 * errors for it (id null) go out; an answer without any (a refusal that is no JSON-RPC, a 202) gets
 * an Invalid Request error per such entry, as JSON-RPC 2.0 asks, so the client is never left waiting.
 */
export async function answerInvalidEntries(
  conn: Connection,
  answer: Answer,
  messages: unknown[],
): Promise<void> {
  if (answer.kind === "json") {
    const responses = (Array.isArray(answer.body) ? answer.body : [answer.body]).filter(
      (m) => kindOf(m) === "response",
    );
    for (const response of responses) await conn.writer.write(response);
    if (responses.length > 0) return;
  } else discardAnswer(answer);
  if (answer.status >= 300) {
    const body = answer.kind === "json" ? answer.body : answer.kind === "text" ? answer.text : "";
    await conn.writer.write(httpErrorFor(null, answer.status, body));
    return;
  }
  for (const message of messages) {
    if (kindOf(message) !== "invalid") continue;
    await conn.writer.write(
      errorMessage(null, INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message"),
    );
  }
}
