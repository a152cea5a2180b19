/**
 * Routes each inbound line: a request becomes a POST whose answer is relayed (concurrently with
 * every other request), a notification or a client's reply a POST whose 202 ends it, and
 * `notifications/cancelled` aborts the request it names. Input that is not a message gets its
 * JSON-RPC error at once. The POST carries the line as it came: parsed JSON is never serialized
 * again (nesting `JSON.parse` accepts can overflow `JSON.stringify`); bounding it is the handler's
 * part, as for any HTTP body.
 */
import { discardAnswer, openAnswer } from "./_answer.ts";
import { type Connection, describe, POST_HEADERS } from "./_connection.ts";
import {
  errorMessage,
  INTERNAL_ERROR,
  INVALID_REQUEST,
  idOf,
  jsonRpcErrorOf,
  kindOf,
  PARSE_ERROR,
  type RequestId,
} from "./_errors.ts";
import { isObject, type JsonObject, modernHeaders, modernVersionOf, paramsOf } from "./_headers.ts";
import { answerInvalidEntries } from "./_invalid-batch.ts";
import { learnTools, mirrorsParams } from "./_learn-tools.ts";
import type { NotificationStream } from "./_notification-stream.ts";
import { relayAnswer } from "./_relay.ts";
import { SessionRenewal, sessionGone } from "./_renewal.ts";

/** A request in flight: what aborts it, and when it is done. */
interface InFlight {
  controller: AbortController;
  /** Its request ids not answered yet (emptied as each response goes out: it then holds no slot). */
  pending: Set<RequestId>;
  done: Promise<void>;
  /** `subscriptions/listen`: it never completes on its own. */
  longLived: boolean;
}

const keyOf = (id: RequestId): string => `${typeof id}:${id}`;

export class Dispatcher {
  readonly #conn: Connection;
  readonly #stream: NotificationStream;
  readonly #requests = new Set<InFlight>();
  readonly #byId = new Map<string, InFlight>();
  /** Aborts the POSTs of notifications and replies at close. */
  readonly #others = new AbortController();
  readonly #otherWork = new Set<Promise<void>>();
  readonly #renewal: SessionRenewal;
  /** The most requests (and, apart, notifications and replies) held in flight at once. */
  readonly #maxInFlight: number;
  /**
   * While a legacy `initialize` is in flight, later legacy messages wait for it (in order), as an
   * HTTP client waits for the answer's `Mcp-Session-Id` before its next request.
   */
  #gate: Promise<void> | undefined;
  /** Messages waiting for the gate. */
  #held = 0;

  constructor(conn: Connection, stream: NotificationStream, maxInFlight: number) {
    this.#conn = conn;
    this.#stream = stream;
    this.#maxInFlight = maxInFlight;
    this.#renewal = new SessionRenewal(conn, stream);
  }

  /** One line of input. */
  line(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      void this.#conn.writer.write(
        errorMessage(null, PARSE_ERROR, "Parse error: the line is not valid JSON"),
      );
      return;
    }
    const gate = this.#gate;
    if (gate !== undefined && !(isObject(message) && modernVersionOf(message) !== undefined)) {
      this.#held++;
      this.#hold(
        gate.then(() => {
          this.#held--;
          this.#route(message, text);
        }),
      );
      return;
    }
    this.#route(message, text);
  }

  /**
   * While as many messages as `maxInFlight` wait for a legacy `initialize`: resolves once they have
   * gone on (reading the input pauses until then, so what waits stays bounded). Else `undefined`.
   */
  backlog(): Promise<void> | undefined {
    return this.#held >= this.#maxInFlight ? this.#gate : undefined;
  }

  /** A line longer than `maxLineBytes` (discarded). */
  tooLong(limit: number): void {
    const text = `Invalid Request: the message is longer than ${limit} bytes (maxLineBytes) and was discarded`;
    void this.#conn.writer.write(errorMessage(null, INVALID_REQUEST, text));
  }

  /** Makes `until` the gate later legacy messages wait for; lifted once it settles. */
  #hold(until: Promise<void>): void {
    this.#gate = until;
    void until.finally(() => {
      if (this.#gate === until) this.#gate = undefined;
    });
  }

  /** `message`, parsed from `text`. Nothing it throws escapes (the input's handler, or the gate). */
  #route(message: unknown, text: string): void {
    try {
      if (Array.isArray(message)) {
        this.#batch(message, text);
        return;
      }
      switch (kindOf(message)) {
        case "request":
          this.#request(message as JsonObject, text);
          return;
        case "notification":
          this.#notification(message as JsonObject, text);
          return;
        case "response":
          this.#other(text, this.#conn.sessionHeaders(), "a reply");
          return;
        default: {
          const id = isObject(message) ? idOf(message.id) : null;
          const error = "Invalid Request: not a JSON-RPC 2.0 request, notification or response";
          void this.#conn.writer.write(errorMessage(id, INVALID_REQUEST, error));
        }
      }
    } catch (error) {
      this.#conn.log(`handling a message failed: ${describe(error)}`);
      const ids = (Array.isArray(message) ? message : [message]).flatMap((m) =>
        kindOf(m) === "request" ? [(m as JsonObject).id as RequestId] : [],
      );
      for (const id of ids) void this.#conn.writer.write(errorMessage(id, INTERNAL_ERROR, "Internal error"));
    }
  }

  /** Resolves when every request other than long-lived ones is done. */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.#requests].filter((r) => !r.longLived).map((r) => r.done));
  }

  /** Aborts everything in flight; resolves when all of it has let go. */
  abortAll(): Promise<unknown> {
    this.#others.abort();
    for (const request of this.#requests) request.controller.abort();
    return Promise.allSettled([...[...this.#requests].map((r) => r.done), ...this.#otherWork]);
  }

  #track(
    controller: AbortController,
    longLived: boolean,
    pending: Set<RequestId>,
    run: Promise<void>,
  ): InFlight {
    const ids = [...pending];
    const entry: InFlight = { controller, pending, longLived, done: Promise.resolve() };
    entry.done = run
      .catch(async (error: unknown) => {
        if (controller.signal.aborted) return;
        this.#conn.log(`a request failed: ${describe(error)}`);
        // Whatever failed, every request still waiting gets its answer.
        const unanswered = [...pending];
        pending.clear();
        for (const id of unanswered) {
          await this.#conn.writer.write(errorMessage(id, INTERNAL_ERROR, "Internal error"));
        }
      })
      .finally(() => {
        this.#requests.delete(entry);
        for (const id of ids) if (this.#byId.get(keyOf(id)) === entry) this.#byId.delete(keyOf(id));
      });
    this.#requests.add(entry);
    for (const id of ids) this.#byId.set(keyOf(id), entry);
    return entry;
  }

  /** At the cap: each request id gets its error at once, and nothing is sent to the app. */
  #refuseBusy(ids: RequestId[]): boolean {
    let open = 0;
    for (const request of this.#requests) if (request.pending.size > 0) open++;
    if (open < this.#maxInFlight) return false;
    const text = `Too many requests in flight (maxInFlight ${this.#maxInFlight}); retry once some have answered`;
    for (const id of ids) void this.#conn.writer.write(errorMessage(id, INTERNAL_ERROR, text));
    return true;
  }

  #request(message: JsonObject, text: string): void {
    const id = message.id as RequestId;
    if (this.#refuseBusy([id])) return;
    const controller = new AbortController();
    const longLived = message.method === "subscriptions/listen";
    const pending = new Set([id]);
    const entry = this.#track(
      controller,
      longLived,
      pending,
      this.#serve(message, text, pending, controller.signal),
    );
    if (message.method === "initialize" && modernVersionOf(message) === undefined) this.#hold(entry.done);
  }

  async #serve(
    message: JsonObject,
    body: string,
    pending: Set<RequestId>,
    signal: AbortSignal,
  ): Promise<void> {
    const conn = this.#conn;
    const version = modernVersionOf(message);
    const headersOf = (): Record<string, string> =>
      version === undefined
        ? { ...POST_HEADERS, ...conn.sessionHeaders() }
        : {
            ...POST_HEADERS,
            ...modernHeaders(message, version),
            ...(message.method === "tools/call" ? conn.params.headersFor(message) : {}),
          };
    if (version === undefined && message.method === "initialize") this.#renewal.remember(message);
    const sessionId = version === undefined ? conn.sessionId : undefined;
    let answer = await openAnswer(await conn.send("POST", headersOf(), body, signal), signal);
    if (sessionId !== undefined && sessionGone(answer) && (await this.#renewal.renew(sessionId, signal))) {
      discardAnswer(answer);
      answer = await openAnswer(await conn.send("POST", headersOf(), body, signal), signal);
    }
    if (version !== undefined && message.method === "tools/call" && mirrorsParams(answer)) {
      // The tool marks arguments this adapter has not seen in a tools/list yet: learn, then retry.
      discardAnswer(answer);
      await learnTools(conn, message, version, signal);
      answer = await openAnswer(await conn.send("POST", headersOf(), body, signal), signal);
    }
    await relayAnswer(
      conn,
      {
        pending,
        signal,
        resumable: version === undefined,
        onResponse: (response, from) => {
          if (!isObject(response.result)) return;
          if (message.method === "tools/list") conn.params.observe(response.result);
          if (message.method === "initialize" && version === undefined) {
            this.#adoptSession(from.header("mcp-session-id"), response.result.protocolVersion);
          }
        },
      },
      answer,
    );
  }

  /** Keeps the session `initialize` answered with (a second `initialize` replaces the first). */
  #adoptSession(sessionId: string | null, protocolVersion: unknown): void {
    const conn = this.#conn;
    const previous = conn.sessionId;
    void this.#stream.stop();
    conn.sessionId = sessionId ?? undefined;
    conn.protocolVersion = typeof protocolVersion === "string" ? protocolVersion : undefined;
    if (previous !== undefined && previous !== conn.sessionId) {
      this.#other(null, { "mcp-session-id": previous }, "ending the previous session", "DELETE");
    }
  }

  #notification(message: JsonObject, text: string): void {
    const conn = this.#conn;
    const version = modernVersionOf(message);
    if (message.method === "notifications/cancelled") {
      const target = idOf(paramsOf(message)?.requestId);
      if (target !== null) this.#byId.get(keyOf(target))?.controller.abort();
      // A legacy session cancels its call itself; on 2026-07-28 the closed stream is the cancellation.
      if (version === undefined && conn.sessionId !== undefined) {
        this.#other(text, conn.sessionHeaders(), "a cancellation");
      }
      return;
    }
    const headers = version === undefined ? conn.sessionHeaders() : modernHeaders(message, version);
    const opensStream = message.method === "notifications/initialized" && version === undefined;
    this.#other(text, headers, `the notification ${String(message.method)}`, "POST", opensStream);
  }

  /** A POST of `body` (or a DELETE) whose answer only matters when it is an error (logged). */
  #other(
    body: string | null,
    headers: Record<string, string>,
    what: string,
    method: "POST" | "DELETE" = "POST",
    opensStream = false,
  ): void {
    const conn = this.#conn;
    if (this.#otherWork.size >= this.#maxInFlight) {
      conn.log(
        `dropped ${what}: ${this.#maxInFlight} notifications and replies are already in flight (maxInFlight)`,
      );
      return;
    }
    const signal = this.#others.signal;
    const all = method === "POST" ? { ...POST_HEADERS, ...headers } : headers;
    const work = (async () => {
      const answer = await openAnswer(await conn.send(method, all, body, signal), signal);
      discardAnswer(answer);
      if (answer.status >= 200 && answer.status < 300) {
        if (opensStream) this.#stream.open();
        return;
      }
      const detail = answer.kind === "json" ? jsonRpcErrorOf(answer.body)?.message : undefined;
      conn.log(`the MCP handler refused ${what}: HTTP ${answer.status}${detail ? ` (${detail})` : ""}`);
    })()
      .catch((error: unknown) => {
        if (!signal.aborted) conn.log(`sending ${what} failed: ${describe(error)}`);
      })
      .finally(() => this.#otherWork.delete(work));
    this.#otherWork.add(work);
  }

  /** A 2025-03-26 batch: one POST; each request in it gets its response. */
  #batch(messages: unknown[], text: string): void {
    if (messages.length === 0) {
      void this.#conn.writer.write(errorMessage(null, INVALID_REQUEST, "Invalid Request: an empty batch"));
      return;
    }
    const ids = messages.flatMap((m) => (kindOf(m) === "request" ? [(m as JsonObject).id as RequestId] : []));
    if (this.#refuseBusy(ids)) return;
    const conn = this.#conn;
    const controller = new AbortController();
    const signal = controller.signal;
    const pending = new Set(ids);
    const run = (async () => {
      const headers = { ...POST_HEADERS, ...conn.sessionHeaders() };
      const answer = await openAnswer(await conn.send("POST", headers, text, signal), signal);
      if (ids.length > 0) {
        await relayAnswer(conn, { pending, signal, resumable: true }, answer);
        return;
      }
      if (messages.some((m) => kindOf(m) === "invalid")) {
        // No request, but entries that are no JSON-RPC message: each is owed an error (id null).
        await answerInvalidEntries(conn, answer, messages);
        return;
      }
      discardAnswer(answer);
      if (answer.status >= 300) conn.log(`the MCP handler refused a batch: HTTP ${answer.status}`);
    })();
    this.#track(controller, false, pending, run);
  }
}
