/**
 * A 2025-era session that expired while the client was idle (the handler's `sessionTtlMs`) is
 * renewed: the client's own `initialize` is sent again, then `notifications/initialized`, the GET
 * stream is reopened, and the request that met "Session not found" is sent again. Over stdio the
 * client cannot tell a session from the process, so it never re-initializes by itself. What the
 * old session held (resource subscriptions, the log level) is gone; the log says so.
 */
import { type Answer, discardAnswer, openAnswer } from "./_answer.ts";
import { type Connection, POST_HEADERS } from "./_connection.ts";
import { jsonRpcErrorOf } from "./_errors.ts";
import { isObject, type JsonObject } from "./_headers.ts";
import type { NotificationStream } from "./_notification-stream.ts";

const SESSION_NOT_FOUND = -32001;

/** Whether `answer` says the session is unknown to the handler (404, `-32001`). */
export function sessionGone(answer: Answer): boolean {
  return (
    answer.kind === "json" && answer.status === 404 && jsonRpcErrorOf(answer.body)?.code === SESSION_NOT_FOUND
  );
}

export class SessionRenewal {
  readonly #conn: Connection;
  readonly #stream: NotificationStream;
  #initialize: JsonObject | undefined;
  #renewing: Promise<boolean> | undefined;
  #sequence = 0;

  constructor(conn: Connection, stream: NotificationStream) {
    this.#conn = conn;
    this.#stream = stream;
  }

  /** Keeps the client's `initialize` to send again when the session expires. */
  remember(initialize: JsonObject): void {
    this.#initialize = initialize;
  }

  /** Renews the session `expired` (once, however many requests met its end); `true` when done. */
  renew(expired: string, signal: AbortSignal): Promise<boolean> {
    if (this.#conn.sessionId !== expired) return Promise.resolve(this.#conn.sessionId !== undefined);
    this.#renewing ??= this.#initializeAgain(signal).finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async #initializeAgain(signal: AbortSignal): Promise<boolean> {
    const conn = this.#conn;
    if (this.#initialize === undefined) return false;
    const message = { ...this.#initialize, id: `portico-stdio-renew-${++this.#sequence}` };
    const answer = await openAnswer(
      await conn.send("POST", { ...POST_HEADERS }, JSON.stringify(message), signal),
      signal,
    );
    const result = answer.kind === "json" && isObject(answer.body) ? answer.body.result : undefined;
    const sessionId = answer.header("mcp-session-id");
    discardAnswer(answer);
    if (!isObject(result) || sessionId === null) {
      conn.log(`the session expired and initializing a new one failed (HTTP ${answer.status})`);
      return false;
    }
    conn.sessionId = sessionId;
    conn.protocolVersion = typeof result.protocolVersion === "string" ? result.protocolVersion : undefined;
    const initialized = JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" });
    discardAnswer(
      await openAnswer(
        await conn.send("POST", { ...POST_HEADERS, ...conn.sessionHeaders() }, initialized, signal),
        signal,
      ),
    );
    this.#stream.open();
    conn.log(
      "the session had expired: a new one was initialized (its subscriptions and log level are reset)",
    );
    return true;
  }
}
