/**
 * Relays the answer to a POST of request(s) to stdout: every JSON-RPC message it carries (a JSON
 * body, a batch, each SSE event) becomes one line, and every request of the POST gets exactly one
 * response — the handler's, or an error saying what it answered instead. A legacy stream the
 * server closed before the response (SSE polling) is resumed with `Last-Event-ID`, as an HTTP
 * client would. Nothing is written once `signal` aborted (cancellation, shutdown).
 */
import { type Answer, discardAnswer, openAnswer } from "./_answer.ts";
import type { Connection } from "./_connection.ts";
import { errorMessage, httpErrorFor, INTERNAL_ERROR, idOf, kindOf, type RequestId } from "./_errors.ts";
import { isObject, type JsonObject } from "./_headers.ts";
import { pause } from "./_notification-stream.ts";
import type { SseBlock } from "./_sse.ts";

export interface Relay {
  /** The ids of the POST's requests that still await their response. */
  pending: Set<RequestId>;
  signal: AbortSignal;
  /** Told about each final response before it is written (session capture, tool marks). */
  onResponse?: (message: JsonObject, answer: Answer) => void;
  /** Whether a stream that ended early may be resumed (legacy sessions persist their events). */
  resumable: boolean;
}

const MAX_RESUMES = 5;
const MAX_RETRY_MS = 30_000;

/** Writes `message`, noting it when it is the response to a pending request. */
async function emit(conn: Connection, relay: Relay, message: unknown, answer: Answer): Promise<void> {
  if (relay.signal.aborted || !isObject(message)) return;
  const kind = kindOf(message);
  if (kind === "invalid") {
    conn.log("the MCP handler answered with a message that is not JSON-RPC; skipped");
    return;
  }
  const id = idOf(message.id);
  if (kind === "response" && id !== null && relay.pending.delete(id)) relay.onResponse?.(message, answer);
  await conn.writer.write(message);
}

interface StreamState {
  lastEventId: string | undefined;
  retryMs: number;
}

/** Relays one SSE stream; `true` when it carried anything (an event id counts). */
async function follow(
  conn: Connection,
  relay: Relay,
  answer: Answer,
  blocks: AsyncGenerator<SseBlock>,
  state: StreamState,
): Promise<boolean> {
  let progressed = false;
  for await (const block of blocks) {
    if (block.id !== undefined) state.lastEventId = block.id;
    if (block.retry !== undefined) state.retryMs = Math.min(block.retry, MAX_RETRY_MS);
    progressed = true;
    if (block.data === "") continue;
    let message: unknown;
    try {
      message = JSON.parse(block.data);
    } catch {
      conn.log("the MCP handler streamed an event that is not JSON; skipped");
      continue;
    }
    await emit(conn, relay, message, answer);
    if (relay.pending.size === 0 || relay.signal.aborted) break;
  }
  return progressed;
}

/** Resumes a legacy stream after `state.lastEventId` until the pending responses arrive. */
async function resume(conn: Connection, relay: Relay, state: StreamState): Promise<void> {
  let idle = 0;
  while (relay.pending.size > 0 && !relay.signal.aborted && idle < MAX_RESUMES) {
    const lastEventId = state.lastEventId;
    if (lastEventId === undefined || conn.sessionId === undefined) return;
    await pause(state.retryMs, relay.signal);
    if (relay.signal.aborted) return;
    const headers = { ...conn.sessionHeaders(), accept: "text/event-stream", "last-event-id": lastEventId };
    const answer = await openAnswer(await conn.send("GET", headers, null, relay.signal), relay.signal);
    if (answer.kind !== "stream") {
      discardAnswer(answer);
      if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) return;
      idle++;
      continue;
    }
    idle = (await follow(conn, relay, answer, answer.blocks, state)) ? 0 : idle + 1;
  }
}

/** Relays `answer` to the requests in `relay.pending`; resolves when each has its response. */
export async function relayAnswer(conn: Connection, relay: Relay, answer: Answer): Promise<void> {
  const ok = answer.status >= 200 && answer.status < 300;
  if (answer.kind === "stream") {
    const state: StreamState = { lastEventId: undefined, retryMs: 1000 };
    await follow(conn, relay, answer, answer.blocks, state);
    if (relay.resumable) await resume(conn, relay, state);
    if (relay.signal.aborted) return;
    for (const id of settle(relay)) {
      await conn.writer.write(
        errorMessage(id, INTERNAL_ERROR, "The MCP handler ended its event stream without a response"),
      );
    }
    return;
  }
  if (answer.kind === "json") {
    const messages = Array.isArray(answer.body) ? answer.body : [answer.body];
    // An HTTP error whose body names no request (id null) is answered per request below.
    const relayable = ok || messages.some((m) => isObject(m) && idOf(m.id) !== null);
    if (relayable) for (const message of messages) await emit(conn, relay, message, answer);
  }
  if (relay.signal.aborted) return;
  const body = answer.kind === "json" ? answer.body : answer.kind === "text" ? answer.text : "";
  for (const id of settle(relay)) await conn.writer.write(httpErrorFor(id, answer.status, body));
}

/** The ids still pending, which are no longer (a request counts as answered before its line is out). */
function settle(relay: Relay): RequestId[] {
  const ids = [...relay.pending];
  relay.pending.clear();
  return ids;
}
