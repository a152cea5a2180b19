/**
 * The legacy session's standalone GET stream: what the server says outside any request (list
 * changes, resource updates, logging, server→client requests) reaches stdout through it. When the
 * server closes it (SSE polling, a `retry:` hint), it is reopened after the hint with
 * `Last-Event-ID`, so nothing is lost; it stops for good when the server has none (405), the
 * session is gone (404), or it failed too often in a row.
 */
import { discardAnswer, openAnswer } from "./_answer.ts";
import { type Connection, describe } from "./_connection.ts";
import { isObject } from "./_headers.ts";

const DEFAULT_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
/** Consecutive attempts that brought nothing before the stream is given up. */
const MAX_FAILURES = 5;

/** Waits `ms`, or less when `signal` aborts first. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export class NotificationStream {
  readonly #conn: Connection;
  #controller: AbortController | undefined;
  #running: Promise<void> | undefined;

  constructor(conn: Connection) {
    this.#conn = conn;
  }

  /** Opens the stream (again, for a new session); a no-op without a session. */
  open(): void {
    this.stop();
    if (this.#conn.sessionId === undefined || this.#conn.closing) return;
    const controller = new AbortController();
    this.#controller = controller;
    const sessionId = this.#conn.sessionId;
    this.#running = this.#follow(sessionId, controller.signal).catch((error: unknown) => {
      if (!controller.signal.aborted) this.#conn.log(`the notification stream failed: ${describe(error)}`);
    });
  }

  /** Closes the stream; resolves once it has let go of the response. */
  stop(): Promise<void> {
    this.#controller?.abort();
    this.#controller = undefined;
    return this.#running ?? Promise.resolve();
  }

  async #follow(sessionId: string, signal: AbortSignal): Promise<void> {
    const conn = this.#conn;
    let lastEventId: string | undefined;
    let retryMs = DEFAULT_RETRY_MS;
    let failures = 0;
    while (!signal.aborted && conn.sessionId === sessionId) {
      const headers: Record<string, string> = { ...conn.sessionHeaders(), accept: "text/event-stream" };
      if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
      const answer = await openAnswer(await conn.send("GET", headers, null, signal), signal);
      if (answer.kind !== "stream") {
        discardAnswer(answer);
        if (answer.status === 405) return; // the server has no standalone stream
        if (answer.status === 404) {
          conn.log("the server no longer knows this session: notifications outside requests stop");
          return;
        }
        if (++failures >= MAX_FAILURES) {
          conn.log(
            `the notification stream was refused ${failures} times (HTTP ${answer.status}); giving up`,
          );
          return;
        }
        await pause(retryMs * failures, signal);
        continue;
      }
      let progressed = false;
      for await (const block of answer.blocks) {
        if (block.id !== undefined) lastEventId = block.id;
        if (block.retry !== undefined) retryMs = Math.min(block.retry, MAX_RETRY_MS);
        progressed = true;
        if (block.data === "") continue;
        let message: unknown;
        try {
          message = JSON.parse(block.data);
        } catch {
          conn.log("the notification stream carried an event that is not JSON; skipped");
          continue;
        }
        if (isObject(message)) await conn.writer.write(message);
      }
      failures = progressed ? 0 : failures + 1;
      if (failures >= MAX_FAILURES) {
        conn.log("the notification stream kept ending at once; giving up");
        return;
      }
      await pause(retryMs, signal);
    }
  }
}
