import type { Readable, Writable } from "node:stream";
import type { FetchApp } from "@portico/host";
import { isTimerMs, timerRange } from "@portico/host";
import { discardAnswer, openAnswer } from "./_answer.ts";
import { Connection, describe } from "./_connection.ts";
import { consoleToStderr } from "./_console.ts";
import { Dispatcher } from "./_dispatch.ts";
import { readLines } from "./_line-reader.ts";
import { LineWriter } from "./_line-writer.ts";
import { NotificationStream } from "./_notification-stream.ts";

/** Options of {@link serveStdio}. */
export interface StdioOptions {
  /** Where messages arrive, one per line. Default `process.stdin`. */
  input?: Readable;
  /** Where messages go, one per line, and nothing else. Default `process.stdout`. */
  output?: Writable;
  /**
   * Receives one line per diagnostic (a refused notification, a handler that failed, a stream given
   * up). Default: written to stderr, prefixed `[portico stdio]`. Never written to `output`.
   */
  log?: (line: string) => void;
  /**
   * The longest line accepted, in bytes. A longer one is discarded as it arrives (never held) and
   * answered with a JSON-RPC error (`-32600`, id `null`); the server carries on. Default 4 MiB.
   */
  maxLineBytes?: number;
  /**
   * The most requests served at once (a batch counts once). A request beyond it is answered at
   * once with a JSON-RPC error (`-32603`, "Too many requests in flight") and never reaches the app;
   * notifications and replies beyond the same number still sending are dropped with a log line.
   * Once as many messages wait for a legacy `initialize` to answer, stdin is not read until it has.
   * Default 256.
   */
  maxInFlight?: number;
  /** Passed to `app.fetch` as its second argument. */
  env?: unknown;
  /**
   * The URL the app's requests are made for. Default `http://localhost/mcp` (its `Host` passes the
   * core's DNS-rebinding check); change the path for a router that mounts MCP elsewhere.
   */
  url?: string;
  /**
   * At the end of input, how long requests still running may finish (their responses are
   * written) before everything is aborted. Long-lived streams end at once. Default 1000 ms; 0 to
   * 2^31−1 ms (about 24.8 days, the longest a timer waits), else `serveStdio` throws a `TypeError`.
   */
  graceMs?: number;
  /**
   * Send the global `console`'s output, and any other `process.stdout.write` (a library logging to
   * stdout itself), to stderr while serving, so that nothing but the protocol reaches stdout.
   * Default `true` when `output` is `process.stdout`.
   */
  redirectConsole?: boolean;
}

/** A running stdio server. */
export interface StdioServer {
  /** Resolves once the server has stopped (end of input, `close()`, or the output gone). */
  readonly closed: Promise<void>;
  /** Stops at once: stops reading, aborts what is in flight, ends the session. Resolves as `closed`. */
  close(): Promise<void>;
}

const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;
const DEFAULT_GRACE_MS = 1000;
const DEFAULT_MAX_IN_FLIGHT = 256;
/** How long the shutdown waits for the session's end and for aborted work to let go. */
const SHUTDOWN_WAIT_MS = 1000;

function defaultLog(line: string): void {
  if (process.stderr.writable) process.stderr.write(`[portico stdio] ${line}\n`);
}

let stderrGuarded = false;

/**
 * Keeps a failing stderr from crashing the process: a client that goes away closes the read end of
 * stderr as well as stdout's, and the next log line would then be an 'error' event nobody listens
 * to. Installed once, and kept: a write made while serving may fail after `closed`.
 */
function guardStderr(): void {
  if (stderrGuarded) return;
  stderrGuarded = true;
  process.stderr.on("error", () => {});
}

/** Ends the legacy session (DELETE), waiting at most {@link SHUTDOWN_WAIT_MS}. */
async function endSession(conn: Connection): Promise<void> {
  const controller = new AbortController();
  const headers = conn.sessionHeaders();
  const deleted = conn
    .send("DELETE", headers, null, controller.signal)
    .then((response) => openAnswer(response, controller.signal))
    .then(discardAnswer);
  await within(deleted, SHUTDOWN_WAIT_MS);
  controller.abort();
}

/** Resolves when `promise` settles or after `ms`, whichever is first (the timer is cleared). */
function within(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

function checkOptions(app: FetchApp, options: StdioOptions): void {
  if (typeof app?.fetch !== "function") {
    throw new TypeError(
      "serveStdio: app must have a fetch(request, env, ctx) method (e.g. createHandler(server))",
    );
  }
  const { maxLineBytes, maxInFlight, graceMs } = options;
  for (const [name, value] of [
    ["maxLineBytes", maxLineBytes],
    ["maxInFlight", maxInFlight],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new TypeError(`serveStdio: ${name} must be a positive integer, not ${String(value)}`);
    }
  }
  // A timer waits the grace out: one past 2^31−1 ms would fire at once.
  if (graceMs !== undefined && !isTimerMs(graceMs, 0)) {
    throw new TypeError(`serveStdio: graceMs must be ${timerRange(0)}, not ${String(graceMs)}`);
  }
  if (options.url !== undefined && !URL.canParse(options.url)) {
    throw new TypeError(`serveStdio: url must be an absolute URL, not ${JSON.stringify(options.url)}`);
  }
}

/**
 * Serves `app` (a Portico handler from `createHandler(server)`, or any object with a Web Fetch
 * `fetch`) over the MCP stdio transport: newline-delimited JSON-RPC on `input` and `output`
 * (stdin and stdout by default), diagnostics to stderr.
 *
 * Each inbound message becomes the request a Streamable HTTP client would send (`POST` to
 * `http://localhost/mcp`, with the session and protocol headers of its era), and every message of
 * the answer — a JSON body or each SSE event — becomes one output line. Both protocol eras work:
 * `initialize` sessions (2025-11-25 and earlier; the session's GET stream is opened after
 * `notifications/initialized` and deleted at the end) and stateless 2026-07-28 requests (the
 * `Mcp-*` headers are derived from the body). Requests run concurrently (at most `maxInFlight`);
 * the end of input waits `graceMs` for running requests, then aborts the rest (`ctx.signal` of the
 * app, and every request's signal) and resolves `closed`. It never writes anything but JSON-RPC to `output`.
 */
export function serveStdio(app: FetchApp, options: StdioOptions = {}): StdioServer {
  checkOptions(app, options);
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const log = options.log ?? defaultLog;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const redirectConsole = options.redirectConsole ?? output === process.stdout;
  if (options.log === undefined || redirectConsole) guardStderr();

  let shutdown: Promise<void> | undefined;
  let resolveClosed = (): void => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const writer = new LineWriter(output, (error) => {
    log(`the output closed (${describe(error)}): stopping`);
    void stop(0);
  });
  // After the writer took stdout's real `write`: from here on, other writes to stdout go to stderr.
  const restoreConsole = redirectConsole ? consoleToStderr() : () => {};
  const conn = new Connection({
    app,
    env: options.env,
    url: options.url ?? "http://localhost/mcp",
    writer,
    log,
  });
  const stream = new NotificationStream(conn);
  const dispatcher = new Dispatcher(conn, stream, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);

  const stopReading = readLines(input, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, {
    onEvent(event) {
      if (shutdown !== undefined) return;
      if (event.kind === "line") dispatcher.line(event.text);
      else dispatcher.tooLong(event.limit);
    },
    onEnd(error) {
      if (error !== undefined) log(`reading the input failed: ${describe(error)}`);
      void stop(error === undefined ? graceMs : 0);
    },
    // A full stdout pauses reading stdin (flow control): the answers waiting stay bounded. So do
    // the messages waiting for a legacy initialize.
    backlog: () => {
      const answers = writer.backlog();
      const held = dispatcher.backlog();
      if (held === undefined) return answers;
      return answers === undefined ? held : Promise.all([answers, held]).then(() => {});
    },
  });

  function stop(grace: number): Promise<void> {
    shutdown ??= (async () => {
      stopReading();
      if (grace > 0) await within(dispatcher.settled(), grace);
      conn.shutdown.abort();
      const aborted = dispatcher.abortAll();
      await stream.stop();
      if (conn.sessionId !== undefined) await endSession(conn);
      await within(Promise.all([aborted, conn.background.settled()]), SHUTDOWN_WAIT_MS);
      await within(writer.flushed(), SHUTDOWN_WAIT_MS);
      writer.close();
      restoreConsole();
    })()
      .catch((error: unknown) => {
        log(`shutting down failed: ${describe(error)}`);
        writer.close();
        restoreConsole();
      })
      .finally(resolveClosed);
    return shutdown;
  }

  return { closed, close: () => stop(0) };
}
