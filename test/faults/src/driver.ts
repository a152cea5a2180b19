/**
 * The traffic driver: legacy sessions over raw HTTP (test-kit's request builders and SSE reader)
 * and modern stateless requests, against one URL (the proxy). It records the outcome of every
 * request — status, `Retry-After`, JSON-RPC error, which backend answered, timings — every long
 * call as one logical stream (its POST and each `Last-Event-ID` resumption), and which writes
 * were acknowledged: session creations (`initialize` answered with a session id), `note` tokens
 * and `logging/setLevel` levels.
 */
import {
  initializeBody,
  type JsonRpcMessage,
  jsonRpc,
  legacyGet,
  legacyPost,
  modernPost,
  notification,
  readJsonRpc,
  readSse,
} from "@portico/test-kit";
import { PIN_HEADER } from "./proxy.ts";
import { sleep } from "./util.ts";

export const LEGACY_VERSION = "2025-11-25";
/** logging/setLevel levels, lowest first (RFC 5424 order, as MCP uses them). */
export const LEVELS = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
] as const;

export type Result = "ok" | "rpc-error" | "tool-error" | "http-error" | "network" | "timeout";

/** One request and what came of it. */
export interface Outcome {
  era: "legacy" | "modern";
  op: string;
  session?: string;
  start: number;
  end: number;
  /** HTTP status; 0 when no answer arrived. */
  status: number;
  result: Result;
  retryAfter?: string;
  backend?: number;
  rpcCode?: number;
  detail?: string;
}

/** One HTTP leg of a logical stream (the POST, or one resumption). */
export interface Leg {
  kind: "post" | "resume" | "get";
  start: number;
  end: number;
  status: number;
  backend?: number;
  /** How the leg ended: the final message, end of body, a cut connection, the client, an HTTP error. */
  endedBy: "final" | "eof" | "cut" | "client" | "http" | "deadline";
  retryHint?: number;
  events: number;
  detail?: string;
}

export type StreamEnd =
  | "result"
  | "tool-error"
  | "rpc-error"
  | "refused"
  | "cut"
  | "retry-hint"
  | "eof"
  | "client-closed"
  | "session-lost"
  | "bad-resume"
  | "hung";

/** A long call or a standalone GET stream, across all its legs. */
export interface StreamRecord {
  label: string;
  era: "legacy" | "modern";
  kind: "call" | "get";
  session?: string;
  requestId?: number | string;
  start: number;
  /** When the client had its final answer (or gave up at the deadline). */
  end: number;
  deadline: number;
  endKind: StreamEnd;
  /** The final message, when one arrived. */
  final?: JsonRpcMessage;
  progress: number[];
  legs: Leg[];
  detail?: string;
}

export interface NoteWrite {
  token: string;
  acked: boolean;
  at: number;
}

export interface LevelWrite {
  level: string;
  acked: boolean;
  at: number;
}

/** A legacy session the driver opened (its `initialize` was acknowledged). */
export class LegacySession {
  readonly id: string;
  readonly createdAt: number;
  readonly notes: NoteWrite[] = [];
  readonly levels: LevelWrite[] = [];
  #nextId = 1;

  constructor(id: string, createdAt: number) {
    this.id = id;
    this.createdAt = createdAt;
  }

  nextId(): number {
    return this.#nextId++;
  }
}

export interface DriverOptions {
  /** Where requests go (the proxy). */
  url: string;
  /** A plain request not answered by then counts as `timeout` (a hung request). Default 10 s. */
  requestTimeoutMs?: number;
  /** Pause between two operations of one load loop. Default 40 ms. */
  pauseMs?: number;
}

export interface SendInfo {
  era: "legacy" | "modern";
  op: string;
  session?: string;
  /** The JSON-RPC id whose answer decides the result (none for notifications). */
  id?: number | string;
  /** Pin to a backend of the proxy. */
  pin?: number;
  /** Send here instead of the driver's URL (an instance directly). */
  url?: string;
}

export interface Sent {
  outcome: Outcome;
  messages: JsonRpcMessage[];
  sessionId?: string;
  answer?: JsonRpcMessage;
}

let tokenCounter = 0;

export class Driver {
  readonly url: string;
  readonly outcomes: Outcome[] = [];
  readonly streams: StreamRecord[] = [];
  readonly sessions: LegacySession[] = [];
  /** Outcomes of the verification phase, kept apart from the traffic figures. */
  readonly checks: Outcome[] = [];
  readonly #timeoutMs: number;
  readonly #pauseMs: number;
  #loopStop = new AbortController();
  #streamStop = new AbortController();
  #loops: Promise<void>[] = [];
  /** While true, outcomes go to `checks`. */
  verifying = false;

  constructor(options: DriverOptions) {
    this.url = options.url;
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#pauseMs = options.pauseMs ?? 40;
  }

  #record(outcome: Outcome): void {
    (this.verifying ? this.checks : this.outcomes).push(outcome);
  }

  /** Sends one request and classifies its answer. Never throws. */
  async send(request: Request, info: SendInfo): Promise<Sent> {
    if (info.pin !== undefined) request.headers.set(PIN_HEADER, String(info.pin));
    const start = Date.now();
    const base = { era: info.era, op: info.op, start, ...(info.session ? { session: info.session } : {}) };
    let outcome: Outcome;
    let messages: JsonRpcMessage[] = [];
    let sessionId: string | undefined;
    let answer: JsonRpcMessage | undefined;
    try {
      const response = await fetch(request, { signal: AbortSignal.timeout(this.#timeoutMs) });
      const backend = response.headers.get(PIN_HEADER);
      const retryAfter = response.headers.get("retry-after");
      sessionId = response.headers.get("mcp-session-id") ?? undefined;
      const common = {
        ...base,
        status: response.status,
        ...(backend === null ? {} : { backend: Number(backend) }),
        ...(retryAfter === null ? {} : { retryAfter }),
      };
      try {
        messages = await readJsonRpc(response, { timeoutMs: this.#timeoutMs });
      } catch (error) {
        outcome = { ...common, end: Date.now(), result: "network", detail: describe(error) };
        this.#record(outcome);
        return { outcome, messages };
      }
      answer = info.id === undefined ? undefined : messages.find((m) => m.id === info.id && !m.method);
      const errorBody = messages.find((m) => m.error !== undefined && !m.method);
      if (response.status >= 300) {
        outcome = {
          ...common,
          end: Date.now(),
          result: "http-error",
          ...(errorBody?.error ? { rpcCode: errorBody.error.code, detail: errorBody.error.message } : {}),
        };
      } else if (info.id !== undefined && answer === undefined) {
        outcome = { ...common, end: Date.now(), result: "network", detail: "no answer to the request" };
      } else if (answer?.error !== undefined) {
        outcome = {
          ...common,
          end: Date.now(),
          result: "rpc-error",
          rpcCode: answer.error.code,
          detail: answer.error.message,
        };
      } else if (answer?.result?.isError === true) {
        outcome = {
          ...common,
          end: Date.now(),
          result: "tool-error",
          detail: String(answer.result.content?.[0]?.text ?? ""),
        };
      } else {
        outcome = { ...common, end: Date.now(), result: "ok" };
      }
    } catch (error) {
      const timedOut = (error as Error)?.name === "TimeoutError";
      outcome = {
        ...base,
        end: Date.now(),
        status: 0,
        result: timedOut ? "timeout" : "network",
        detail: describe(error),
      };
    }
    this.#record(outcome);
    return { outcome, messages, ...(sessionId ? { sessionId } : {}), ...(answer ? { answer } : {}) };
  }

  // ---- legacy -------------------------------------------------------------------------------

  /** `initialize` + `notifications/initialized`; the session when `initialize` was acknowledged. */
  async openSession(pin?: number): Promise<LegacySession | undefined> {
    const sent = await this.send(
      legacyPost(this.url, initializeBody(0, { protocolVersion: LEGACY_VERSION })),
      {
        era: "legacy",
        op: "initialize",
        id: 0,
        ...(pin === undefined ? {} : { pin }),
      },
    );
    if (sent.outcome.result !== "ok" || sent.sessionId === undefined) return undefined;
    const session = new LegacySession(sent.sessionId, sent.outcome.end);
    this.sessions.push(session);
    await this.send(
      legacyPost(this.url, notification("notifications/initialized"), {
        sessionId: session.id,
        protocolVersion: LEGACY_VERSION,
      }),
      { era: "legacy", op: "initialized", session: session.id },
    );
    return session;
  }

  /** One request of `session`. */
  call(
    session: LegacySession,
    method: string,
    params: Record<string, unknown> | undefined,
    op: string,
    route: { pin?: number; url?: string } = {},
  ): Promise<Sent> {
    const id = session.nextId();
    return this.send(
      legacyPost(route.url ?? this.url, jsonRpc(id, method, params), {
        sessionId: session.id,
        protocolVersion: LEGACY_VERSION,
      }),
      { era: "legacy", op, session: session.id, id, ...route },
    );
  }

  ping(session: LegacySession, route: { pin?: number; url?: string } = {}): Promise<Sent> {
    return this.call(session, "ping", undefined, "ping", route);
  }

  echo(session: LegacySession): Promise<Sent> {
    return this.call(session, "tools/call", { name: "echo", arguments: { text: "hello" } }, "echo");
  }

  /** Adds a fresh token to the session's notes; acknowledged when the tool answered it. */
  async note(session: LegacySession, keep?: number): Promise<Sent> {
    const token = `t${++tokenCounter}-${Date.now().toString(36)}`;
    const args = keep === undefined ? { token } : { token, keep };
    const sent = await this.call(session, "tools/call", { name: "note", arguments: args }, "note");
    const acked = sent.outcome.result === "ok" && sent.answer?.result?.structuredContent?.token === token;
    session.notes.push({ token, acked, at: sent.outcome.end });
    return sent;
  }

  /** `logging/setLevel` to the level after the last one asked for. */
  async setLevel(session: LegacySession): Promise<Sent> {
    // info, notice, …, emergency, debug, info, …: the first write already changes the default (debug).
    const previous = (session.levels.at(-1)?.level ?? "debug") as (typeof LEVELS)[number];
    const level = LEVELS[(LEVELS.indexOf(previous) + 1) % LEVELS.length] as string;
    const sent = await this.call(session, "logging/setLevel", { level }, "setLevel");
    session.levels.push({ level, acked: sent.outcome.result === "ok", at: sent.outcome.end });
    return sent;
  }

  /** The session's stored notes, or `undefined` when they could not be read. */
  async readNotes(session: LegacySession, route: { pin?: number } = {}): Promise<string[] | undefined> {
    const sent = await this.call(session, "tools/call", { name: "notes", arguments: {} }, "notes", route);
    if (sent.outcome.result !== "ok") return undefined;
    return sent.answer?.result?.structuredContent?.tokens as string[];
  }

  /** The session's log level as the server applies it (the lowest level a probe receives). */
  async readLevel(session: LegacySession, route: { pin?: number } = {}): Promise<string | undefined> {
    const sent = await this.call(session, "tools/call", { name: "levels", arguments: {} }, "levels", route);
    if (sent.outcome.result !== "ok") return undefined;
    const received = sent.messages
      .filter((m) => m.method === "notifications/message")
      .map((m) => String(m.params?.data));
    return LEVELS.find((level) => received.includes(level)) ?? "none";
  }

  // ---- modern -------------------------------------------------------------------------------

  modern(method: string, params: Record<string, unknown>, op: string, pin?: number): Promise<Sent> {
    const id = ++tokenCounter;
    return this.send(modernPost(this.url, method, params, { id }), {
      era: "modern",
      op,
      id,
      ...(pin === undefined ? {} : { pin }),
    });
  }

  // ---- long calls and streams ---------------------------------------------------------------

  /**
   * A legacy `long` call with progress, followed to its final answer: when the stream is cut or
   * ends without the answer, it is resumed with `Last-Event-ID` through the proxy (any instance),
   * again and again, until the final answer arrives or `deadline` (epoch ms) passes — then the
   * stream is `hung`. `dropAfterMs`: the client drops the first stream that long after its first
   * progress and resumes `resumeAfterMs` later.
   */
  async legacyLong(
    session: LegacySession,
    options: {
      label: string;
      ms: number;
      stepMs?: number;
      pin?: number;
      deadline: number;
      dropAfterMs?: number;
      resumeAfterMs?: number;
    },
  ): Promise<StreamRecord> {
    const requestId = session.nextId();
    const record: StreamRecord = {
      label: options.label,
      era: "legacy",
      kind: "call",
      session: session.id,
      requestId,
      start: Date.now(),
      end: 0,
      deadline: options.deadline,
      endKind: "hung",
      progress: [],
      legs: [],
    };
    this.streams.push(record);
    const deadline = AbortSignal.timeout(Math.max(0, options.deadline - Date.now()));
    const overall = AbortSignal.any([deadline, this.#streamStop.signal]);
    let lastEventId: string | undefined;
    const read = async (
      response: Response,
      leg: Leg,
      drop: AbortController | undefined,
    ): Promise<JsonRpcMessage | undefined> => {
      try {
        const signal = drop === undefined ? overall : AbortSignal.any([drop.signal, overall]);
        for await (const event of readSse(response, { allBlocks: true, signal })) {
          leg.events++;
          if (event.id !== undefined && event.id !== "") lastEventId = event.id;
          if (event.retry !== undefined) leg.retryHint = event.retry;
          if (event.data.trim() === "") continue;
          const message = JSON.parse(event.data) as JsonRpcMessage;
          if (message.method === "notifications/progress") {
            record.progress.push(Number(message.params?.progress));
            if (drop !== undefined && record.progress.length === 1)
              setTimeout(() => drop.abort(), options.dropAfterMs ?? 0);
          }
          if (message.id === requestId && !message.method) {
            leg.endedBy = "final";
            return message;
          }
        }
        leg.endedBy = "eof";
      } catch (error) {
        leg.detail = describe(error);
        leg.endedBy = overall.aborted ? "deadline" : drop?.signal.aborted ? "client" : "cut";
      } finally {
        leg.end = Date.now();
      }
      return undefined;
    };

    // The POST.
    const drop = options.dropAfterMs === undefined ? undefined : new AbortController();
    const post = legacyPost(
      this.url,
      jsonRpc(requestId, "tools/call", {
        name: "long",
        arguments: { ms: options.ms, ...(options.stepMs ? { stepMs: options.stepMs } : {}) },
        _meta: { progressToken: `${options.label}-${requestId}` },
      }),
      { sessionId: session.id, protocolVersion: LEGACY_VERSION },
    );
    if (options.pin !== undefined) post.headers.set(PIN_HEADER, String(options.pin));
    let final: JsonRpcMessage | undefined;
    const leg: Leg = { kind: "post", start: Date.now(), end: 0, status: 0, endedBy: "cut", events: 0 };
    record.legs.push(leg);
    try {
      const signal = drop ? AbortSignal.any([drop.signal, overall]) : overall;
      const response = await fetch(post, { signal });
      leg.status = response.status;
      const backend = response.headers.get(PIN_HEADER);
      if (backend !== null) leg.backend = Number(backend);
      const type = response.headers.get("content-type") ?? "";
      if (response.status !== 200) {
        const retryAfter = response.headers.get("retry-after");
        this.#record({
          era: "legacy",
          op: "long",
          session: session.id,
          start: leg.start,
          end: Date.now(),
          status: response.status,
          result: "http-error",
          ...(retryAfter === null ? {} : { retryAfter }),
          ...(backend === null ? {} : { backend: Number(backend) }),
        });
        await response.arrayBuffer().catch(() => {});
        leg.endedBy = "http";
        leg.end = Date.now();
        return this.#finish(record, "refused", undefined, `HTTP ${response.status} before streaming`);
      }
      if (!type.startsWith("text/event-stream")) {
        final = (await readJsonRpc(response)).find((m) => m.id === requestId);
        leg.endedBy = "final";
        leg.end = Date.now();
      } else {
        final = await read(response, leg, drop);
      }
    } catch (error) {
      leg.detail = describe(error);
      leg.endedBy = overall.aborted ? "deadline" : drop?.signal.aborted ? "client" : "cut";
      leg.end = Date.now();
    }
    this.#record({
      era: "legacy",
      op: "long",
      session: session.id,
      start: leg.start,
      end: leg.end,
      status: leg.status,
      result: legResult(leg, final),
      ...(leg.backend === undefined ? {} : { backend: leg.backend }),
    });
    if (leg.endedBy === "client") await sleep(options.resumeAfterMs ?? 0);

    // Resumptions, through the proxy (any instance), until the final answer or the deadline.
    while (final === undefined && !overall.aborted) {
      if (lastEventId === undefined) {
        return this.#finish(record, "bad-resume", undefined, "stream ended without an event id to resume");
      }
      const resume: Leg = { kind: "resume", start: Date.now(), end: 0, status: 0, endedBy: "cut", events: 0 };
      record.legs.push(resume);
      try {
        const response = await fetch(
          legacyGet(this.url, { sessionId: session.id, lastEventId, protocolVersion: LEGACY_VERSION }),
          { signal: overall },
        );
        resume.status = response.status;
        const backend = response.headers.get(PIN_HEADER);
        if (backend !== null) resume.backend = Number(backend);
        if (response.status !== 200) {
          const retryAfter = response.headers.get("retry-after");
          this.#record({
            era: "legacy",
            op: "resume",
            session: session.id,
            start: resume.start,
            end: Date.now(),
            status: response.status,
            result: "http-error",
            ...(retryAfter === null ? {} : { retryAfter }),
            ...(backend === null ? {} : { backend: Number(backend) }),
          });
          resume.detail = await response.text().catch(() => "");
          resume.endedBy = "http";
          resume.end = Date.now();
          if (response.status === 404) return this.#finish(record, "session-lost", undefined, resume.detail);
          if (response.status === 400) return this.#finish(record, "bad-resume", undefined, resume.detail);
          await sleep(200);
          continue;
        }
        final = await read(response, resume, undefined);
        this.#record({
          era: "legacy",
          op: "resume",
          session: session.id,
          start: resume.start,
          end: resume.end,
          status: 200,
          result: legResult(resume, final),
          ...(resume.backend === undefined ? {} : { backend: resume.backend }),
        });
      } catch (error) {
        resume.detail = describe(error);
        resume.endedBy = overall.aborted ? "deadline" : "cut";
        resume.end = Date.now();
        this.#record({
          era: "legacy",
          op: "resume",
          session: session.id,
          start: resume.start,
          end: resume.end,
          status: resume.status,
          result: "network",
          detail: resume.detail,
        });
      }
      if (final === undefined && !overall.aborted) await sleep(resume.retryHint ?? 200);
    }
    if (final === undefined && !deadline.aborted) return this.#finish(record, "client-closed");
    if (final === undefined)
      return this.#finish(record, "hung", undefined, "no final answer by the deadline");
    return this.#finish(record, endOf(final), final);
  }

  /** A modern `long` call: one stream, nothing to resume. */
  async modernLong(options: {
    label: string;
    ms: number;
    stepMs?: number;
    pin?: number;
    deadline: number;
  }): Promise<StreamRecord> {
    const id = ++tokenCounter;
    const record: StreamRecord = {
      label: options.label,
      era: "modern",
      kind: "call",
      requestId: id,
      start: Date.now(),
      end: 0,
      deadline: options.deadline,
      endKind: "hung",
      progress: [],
      legs: [],
    };
    this.streams.push(record);
    const deadline = AbortSignal.timeout(Math.max(0, options.deadline - Date.now()));
    const overall = AbortSignal.any([deadline, this.#streamStop.signal]);
    const request = modernPost(
      this.url,
      "tools/call",
      {
        name: "long",
        arguments: { ms: options.ms, ...(options.stepMs ? { stepMs: options.stepMs } : {}) },
        _meta: { progressToken: `${options.label}-${id}` },
      },
      { id },
    );
    if (options.pin !== undefined) request.headers.set(PIN_HEADER, String(options.pin));
    const leg: Leg = { kind: "post", start: Date.now(), end: 0, status: 0, endedBy: "cut", events: 0 };
    record.legs.push(leg);
    let final: JsonRpcMessage | undefined;
    try {
      const response = await fetch(request, { signal: overall });
      leg.status = response.status;
      const backend = response.headers.get(PIN_HEADER);
      if (backend !== null) leg.backend = Number(backend);
      if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
        final = (await readJsonRpc(response)).find((m) => m.id === id);
        leg.endedBy = response.status === 200 ? "final" : "http";
      } else {
        leg.endedBy = "eof";
        for await (const event of readSse(response, { allBlocks: true, signal: overall })) {
          leg.events++;
          if (event.retry !== undefined) leg.retryHint = event.retry;
          if (event.data.trim() === "") continue;
          const message = JSON.parse(event.data) as JsonRpcMessage;
          if (message.method === "notifications/progress")
            record.progress.push(Number(message.params?.progress));
          if (message.id === id && !message.method) {
            final = message;
            leg.endedBy = "final";
            break;
          }
        }
      }
    } catch (error) {
      leg.detail = describe(error);
      leg.endedBy = overall.aborted ? "deadline" : "cut";
    }
    leg.end = Date.now();
    this.#record({
      era: "modern",
      op: "long",
      start: leg.start,
      end: leg.end,
      status: leg.status,
      result: final ? resultOf(final) : leg.endedBy === "http" ? "http-error" : "network",
      ...(leg.backend === undefined ? {} : { backend: leg.backend }),
    });
    if (final !== undefined) return this.#finish(record, endOf(final), final);
    if (leg.endedBy === "deadline")
      return this.#finish(record, deadline.aborted ? "hung" : "client-closed", undefined, leg.detail);
    if (leg.endedBy === "http") return this.#finish(record, "refused", undefined, `HTTP ${leg.status}`);
    return this.#finish(record, leg.endedBy === "cut" ? "cut" : "eof", undefined, leg.detail);
  }

  /**
   * A legacy standalone GET stream, read until the server ends it (`retry-hint` when it sent a
   * retry hint, `eof` otherwise), it is cut, the driver stops (`client-closed`) or the deadline.
   */
  async standaloneGet(
    session: LegacySession,
    options: { label: string; pin?: number; deadline: number; opened?: () => void },
  ): Promise<StreamRecord> {
    const record: StreamRecord = {
      label: options.label,
      era: "legacy",
      kind: "get",
      session: session.id,
      start: Date.now(),
      end: 0,
      deadline: options.deadline,
      endKind: "hung",
      progress: [],
      legs: [],
    };
    this.streams.push(record);
    const deadline = AbortSignal.timeout(Math.max(0, options.deadline - Date.now()));
    const overall = AbortSignal.any([deadline, this.#streamStop.signal]);
    const request = legacyGet(this.url, { sessionId: session.id, protocolVersion: LEGACY_VERSION });
    if (options.pin !== undefined) request.headers.set(PIN_HEADER, String(options.pin));
    const leg: Leg = { kind: "get", start: Date.now(), end: 0, status: 0, endedBy: "cut", events: 0 };
    record.legs.push(leg);
    try {
      const response = await fetch(request, { signal: overall });
      leg.status = response.status;
      const backend = response.headers.get(PIN_HEADER);
      if (backend !== null) leg.backend = Number(backend);
      if (response.status !== 200) {
        leg.endedBy = "http";
        leg.detail = await response.text().catch(() => "");
      } else {
        options.opened?.();
        leg.endedBy = "eof";
        for await (const event of readSse(response, { allBlocks: true, signal: overall })) {
          leg.events++;
          if (event.retry !== undefined) leg.retryHint = event.retry;
        }
      }
    } catch (error) {
      leg.detail = describe(error);
      leg.endedBy = deadline.aborted ? "deadline" : this.#streamStop.signal.aborted ? "client" : "cut";
    }
    leg.end = Date.now();
    const endKind: StreamEnd =
      leg.endedBy === "http"
        ? "refused"
        : leg.endedBy === "deadline"
          ? "hung"
          : leg.endedBy === "client"
            ? "client-closed"
            : leg.endedBy === "cut"
              ? "cut"
              : leg.retryHint !== undefined
                ? "retry-hint"
                : "eof";
    return this.#finish(record, endKind, undefined, leg.detail);
  }

  #finish(record: StreamRecord, endKind: StreamEnd, final?: JsonRpcMessage, detail?: string): StreamRecord {
    record.end = Date.now();
    record.endKind = endKind;
    if (final !== undefined) record.final = final;
    if (detail !== undefined) record.detail = detail;
    return record;
  }

  // ---- load ---------------------------------------------------------------------------------

  /**
   * Starts load loops until `stop()`: one per session in `sessions` (ping, echo, note,
   * setLevel), `modern` modern loops (echo, tools/list), and, with `newSessionEveryMs`, a loop
   * opening new sessions (each acknowledged one is checked afterwards too).
   */
  startLoad(options: { sessions: LegacySession[]; modern: number; newSessionEveryMs?: number }): void {
    const signal = this.#loopStop.signal;
    for (const session of options.sessions) {
      this.#loops.push(
        (async () => {
          let turn = 0;
          while (!signal.aborted) {
            const pick = turn++ % 10;
            const sent =
              pick < 3
                ? await this.note(session)
                : pick < 5
                  ? await this.ping(session)
                  : pick < 8
                    ? await this.echo(session)
                    : pick === 8
                      ? await this.setLevel(session)
                      : await this.call(session, "tools/list", undefined, "tools/list");
            await sleep(sent.outcome.result === "ok" ? this.#pauseMs : 100);
          }
        })(),
      );
    }
    for (let i = 0; i < options.modern; i++) {
      this.#loops.push(
        (async () => {
          let turn = 0;
          while (!signal.aborted) {
            const sent =
              turn++ % 5 === 4
                ? await this.modern("tools/list", {}, "tools/list")
                : await this.modern("tools/call", { name: "echo", arguments: { text: "hi" } }, "echo");
            await sleep(sent.outcome.result === "ok" ? this.#pauseMs : 100);
          }
        })(),
      );
    }
    if (options.newSessionEveryMs !== undefined) {
      const every = options.newSessionEveryMs;
      this.#loops.push(
        (async () => {
          while (!signal.aborted) {
            const session = await this.openSession();
            if (session !== undefined) await this.note(session);
            await sleep(every);
          }
        })(),
      );
    }
  }

  /** Stops the load loops and waits for them; open streams go on. */
  async stopLoad(): Promise<void> {
    this.#loopStop.abort();
    await Promise.all(this.#loops);
    this.#loops = [];
    this.#loopStop = new AbortController();
  }

  /** Stops the load loops and aborts every stream still open (`client-closed`). */
  async stop(): Promise<void> {
    this.#streamStop.abort();
    await this.stopLoad();
    this.#streamStop = new AbortController();
  }
}

function resultOf(message: JsonRpcMessage): Result {
  if (message.error !== undefined) return "rpc-error";
  if (message.result?.isError === true) return "tool-error";
  return "ok";
}

/** A leg's result: its answer's, else `ok` when the server or the client ended it, else `network`. */
function legResult(leg: Leg, final: JsonRpcMessage | undefined): Result {
  if (final !== undefined) return resultOf(final);
  return leg.endedBy === "eof" || leg.endedBy === "client" ? "ok" : "network";
}

function endOf(message: JsonRpcMessage): StreamEnd {
  const result = resultOf(message);
  return result === "ok" ? "result" : result === "tool-error" ? "tool-error" : "rpc-error";
}

export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
