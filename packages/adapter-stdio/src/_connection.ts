/**
 * What every part of one stdio connection shares: the app and how to call it (a request exactly as
 * a Streamable HTTP client on localhost would send it), the output, the log, the legacy session
 * (its id and negotiated version, kept from the `initialize` answer), and the shutdown signal.
 */
import {
  bufferedRequest,
  bufferedResponse,
  createTracker,
  type ExecutionContextLike,
  type FetchApp,
  hostErrorBody,
} from "@portico/host";
import type { LineWriter } from "./_line-writer.ts";
import { ParamHeaders } from "./_param-headers.ts";

export type Method = "POST" | "GET" | "DELETE";

/** What a POST of a message accepts and is (as the Streamable HTTP transport requires). */
export const POST_HEADERS: Readonly<Record<string, string>> = {
  accept: "application/json, text/event-stream",
  "content-type": "application/json",
};

export interface ConnectionInit {
  app: FetchApp;
  env: unknown;
  url: string;
  writer: LineWriter;
  log: (line: string) => void;
}

/** One line of an error for the log: its message, never its stack. */
export function describe(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n", 1)[0] ?? error.name;
  return String(error);
}

/**
 * `answer`, or a rejection as soon as `signal` aborts: an app that ignores its request's signal
 * cannot hold up a cancellation or the shutdown. A response that arrives after that is discarded.
 */
function untilAborted(answer: Promise<Response>, signal: AbortSignal): Promise<Response> {
  if (signal.aborted) {
    void answer.then(
      (late) => late.body?.cancel().catch(() => {}),
      () => {},
    );
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      void answer.then(
        (late) => late.body?.cancel().catch(() => {}),
        () => {},
      );
    };
    signal.addEventListener("abort", onAbort, { once: true });
    answer.then(
      (response) => {
        signal.removeEventListener("abort", onAbort);
        resolve(response);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export class Connection {
  readonly app: FetchApp;
  readonly env: unknown;
  readonly url: string;
  readonly host: string;
  readonly writer: LineWriter;
  readonly log: (line: string) => void;
  /** Aborted at close: the app's `ctx.signal` (calls wrap up, long-lived streams end). */
  readonly shutdown = new AbortController();
  /** `ctx.waitUntil` work, awaited (briefly) at close. */
  readonly background = createTracker();
  readonly params = new ParamHeaders();
  readonly ctx: ExecutionContextLike;
  /** The legacy session, once `initialize` answered with one. */
  sessionId: string | undefined;
  /** The legacy protocol version `initialize` negotiated. */
  protocolVersion: string | undefined;

  constructor(init: ConnectionInit) {
    this.app = init.app;
    this.env = init.env;
    this.url = init.url;
    this.host = new URL(init.url).host;
    this.writer = init.writer;
    this.log = init.log;
    this.ctx = {
      signal: this.shutdown.signal,
      bufferedResponses: true,
      waitUntil: (promise) => {
        this.background.add(
          promise.catch((error: unknown) => this.log(`waitUntil work failed: ${describe(error)}`)),
        );
      },
    };
  }

  get closing(): boolean {
    return this.shutdown.signal.aborted;
  }

  /** The legacy session's headers (none before `initialize`). */
  sessionHeaders(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.sessionId !== undefined) headers["mcp-session-id"] = this.sessionId;
    if (this.protocolVersion !== undefined) headers["mcp-protocol-version"] = this.protocolVersion;
    return headers;
  }

  /**
   * Calls the app. It never rejects for the app's sake: an app that throws gets a 500 with the
   * host's safe error body (and a line in the log); only an abort by `signal` rejects.
   */
  async send(
    method: Method,
    headers: Record<string, string>,
    body: string | null,
    signal: AbortSignal,
  ): Promise<Response> {
    const all = { ...headers, host: this.host };
    let request: Request;
    try {
      request =
        this.app.acceptsBufferedRequests === true
          ? bufferedRequest({ method, url: this.url, headers: all, body, signal })
          : new Request(this.url, { method, headers: all, body, signal });
    } catch (error) {
      // A header value the platform refuses (it names the header, never the body).
      this.log(`could not build the request: ${describe(error)}`);
      return bufferedResponse(hostErrorBody(400), 400, { "content-type": "application/json" });
    }
    try {
      return await untilAborted(Promise.resolve(this.app.fetch(request, this.env, this.ctx)), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      this.log(`the MCP handler failed: ${describe(error)}`);
      return bufferedResponse(hostErrorBody(500), 500, { "content-type": "application/json" });
    }
  }
}
