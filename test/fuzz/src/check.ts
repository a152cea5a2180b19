/**
 * Sends one materialised case and checks the answer against the properties every adapter must
 * keep, whatever the input:
 *
 * - the status is below 500 (no store is configured, so not even a 503 is allowed);
 * - no body — JSON, SSE events or text — carries a stack frame, a file path (`/work/`,
 *   `node_modules`, `.ts:` locations), a JavaScript exception message, or the generic JSON-RPC
 *   `-32603 Internal error` that stands for an unexpected exception inside the server (except for
 *   the fuzz server's deliberately crashing reader, `notes://crash`); a pattern the request itself
 *   contains is not counted (echoes of input are not leaks);
 *   a body labelled `application/json` parses as JSON;
 * - an SSE body ends within a bound (long-lived streams — GET, `subscriptions/listen` — are read up
 *   to their first event and then left, as a client would);
 * - the host finishes with the request (a Lambda handler returns, `waitUntil` work settles).
 *
 * Server→client requests seen on legacy SSE streams are answered (or not) as the case says, which
 * drives the reply path too. What the server hands out (event ids, sealed states, cursors, server
 * request ids) goes into the pool for later cases.
 */
import { type JsonRpcMessage, legacyPost, SseParser } from "@portico/test-kit";
import type { FuzzCase, ReplyMode } from "./arbitraries.ts";
import { describeRequest, type Materialized, materialize } from "./materialize.ts";
import { type Pool, rawOf } from "./pool.ts";
import { readChunks, TimeoutError, within } from "./read.ts";
import type { Answer, RawRequest, Transport } from "./transport.ts";

export interface CheckLimits {
  /** Longest wait for the status line. */
  answerMs: number;
  /** Longest an SSE body (not long-lived) or any other body may take to end. */
  bodyMs: number;
  /** Longest a host may take to finish a request after its answer was read. */
  settleMs: number;
}

export const DEFAULT_LIMITS: CheckLimits = { answerMs: 15_000, bodyMs: 10_000, settleMs: 15_000 };

/** The limits, with `FUZZ_BODY_MS` (a shorter body bound for exploring) when set. */
export function limitsFromEnv(): CheckLimits {
  const bodyMs = Number(process.env.FUZZ_BODY_MS);
  return Number.isInteger(bodyMs) && bodyMs > 0 ? { ...DEFAULT_LIMITS, bodyMs } : DEFAULT_LIMITS;
}

/** A broken property, with the exact request and what came back. */
export class FuzzFailure extends Error {
  override name = "FuzzFailure";
  constructor(
    readonly property: string,
    readonly request: RawRequest,
    readonly observed: string,
  ) {
    super(`${property}\n--- request ---\n${describeRequest(request)}\n--- answer ---\n${observed}`);
  }
}

/** Counts per run, for the summary and the README. */
export class Stats {
  readonly statuses = new Map<number, number>();
  cases = 0;
  sse = 0;
  longLived = 0;
  serverRequests = 0;
  replies = 0;
  inputRequired = 0;
  /** 5xx answers of the platform itself, before the adapter (see `Transport.platformAnswer`). */
  platform = 0;
  jsonRpcErrors = new Map<number, number>();

  status(status: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  error(code: number): void {
    this.jsonRpcErrors.set(code, (this.jsonRpcErrors.get(code) ?? 0) + 1);
  }

  toString(): string {
    const sorted = (m: Map<number, number>) =>
      [...m.entries()]
        .sort(([a], [b]) => a - b)
        .map(([k, v]) => `${k}×${v}`)
        .join(" ");
    return (
      `${this.cases} requests; statuses ${sorted(this.statuses)}; SSE ${this.sse} (long-lived ${this.longLived}); ` +
      `server→client requests ${this.serverRequests} (replies sent ${this.replies}); input_required ${this.inputRequired}; ` +
      `JSON-RPC errors ${sorted(this.jsonRpcErrors)}` +
      (this.platform > 0 ? `; answered by the platform before the adapter: ${this.platform}` : "")
    );
  }
}

/** Host completions still running, checked at the end of a run. */
export class Settling {
  readonly #pending = new Set<{ promise: Promise<unknown>; request: RawRequest; since: number }>();

  track(promise: Promise<unknown>, request: RawRequest): void {
    const entry = { promise, request, since: Date.now() };
    this.#pending.add(entry);
    promise.then(
      () => this.#pending.delete(entry),
      () => this.#pending.delete(entry),
    );
  }

  /** Throws when a request's host work has not finished within `ms` of its answer. */
  async drain(ms: number): Promise<void> {
    for (const entry of [...this.#pending]) {
      const left = Math.max(1, entry.since + ms - Date.now());
      try {
        await within(entry.promise, left, "host");
      } catch (error) {
        if (error instanceof TimeoutError) {
          throw new FuzzFailure(
            `the host did not finish the request within ${ms} ms of its answer`,
            entry.request,
            "(handler still running)",
          );
        }
        throw new FuzzFailure(
          `the host's handler rejected: ${String(error)}`,
          entry.request,
          "(handler rejected)",
        );
      }
    }
  }
}

const LEAKS: [string, RegExp][] = [
  ["a file path under /work/", /\/work\//],
  ["a node_modules path", /node_modules/],
  ["a source location (.ts:)", /\.[cm]?[jt]sx?:\d/],
  ["a stack frame", /\bat (?:async )?[\w$.<>[\] ]*\(?(?:file:|node:|\/)[^\s)]*:\d+:\d+\)?/],
  ["a stack frame", /\n\s+at \S/],
  [
    "a JavaScript exception message",
    /\b(?:TypeError|ReferenceError|RangeError|EvalError|URIError|SyntaxError|AggregateError)\b|Cannot read propert|is not a function|is not iterable|is not defined|Maximum call stack|Unexpected token|Unexpected end of JSON|JSON at position|Cannot convert undefined|\[object Object\]/,
  ],
];

function leakIn(text: string, requestText: string): string | undefined {
  for (const [what, pattern] of LEAKS) {
    const match = pattern.exec(text);
    if (match !== null && !pattern.test(requestText)) return `${what}: ${JSON.stringify(match[0])}`;
  }
  return undefined;
}

const lossy = new TextDecoder();

/** The request as text, to tell leaks from echoes. */
function requestText(raw: RawRequest): string {
  const parts = raw.headers.map(([n, v]) => `${n}: ${v}`);
  if (raw.body !== null) parts.push(lossy.decode(raw.body));
  return parts.join("\n");
}

function observed(answer: Answer, text: string): string {
  const headers = [...answer.headers].map(([n, v]) => `${n}: ${v}`).join("\n");
  return `${answer.status}\n${headers}\n\n${text.length > 4_000 ? `${text.slice(0, 4_000)}…` : text}`;
}

type Message = JsonRpcMessage & { result?: Record<string, unknown> };

function messagesOf(value: unknown): Message[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((m): m is Message => typeof m === "object" && m !== null);
}

/** True when the request reads the fuzz server's deliberately crashing resource. */
function expectsCrash(m: Materialized): boolean {
  return m.raw.body !== null && lossy.decode(m.raw.body).includes("notes://crash");
}

export interface CaseContext {
  transport: Transport;
  pool: Pool;
  stats: Stats;
  settling: Settling;
  limits: CheckLimits;
}

/** Sends `m` and checks its answer; answers server→client requests as `reply` says. */
export async function sendAndCheck(ctx: CaseContext, m: Materialized, reply: ReplyMode): Promise<Answer> {
  const { transport, pool, stats, limits } = ctx;
  const raw = m.raw;
  let answer: Answer;
  try {
    answer = await within(transport.send(raw), limits.answerMs, "status line");
  } catch (error) {
    throw new FuzzFailure(`no answer: ${String(error)}`, raw, "(none)");
  }
  stats.cases++;
  stats.status(answer.status);
  if (answer.settled !== undefined) ctx.settling.track(answer.settled, raw);

  let text = "";
  const fail: (property: string) => never = (property) => {
    answer.cancel();
    throw new FuzzFailure(property, raw, observed(answer, text));
  };
  if (answer.status >= 500) {
    text = await readSome(answer);
    if (transport.platformAnswer?.(raw, answer, text) === true) {
      stats.platform++;
      return answer;
    }
    fail(`status ${answer.status} (5xx)`);
  }

  const contentType = (answer.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const reqText = requestText(raw);
  const crashExpected = expectsCrash(m);
  const checkMessages = (messages: Message[]): void => {
    for (const message of messages) {
      if (message.error !== undefined && typeof message.error === "object" && message.error !== null) {
        stats.error(Number(message.error.code));
        if (message.error.code === -32603 && message.error.message === "Internal error" && !crashExpected) {
          fail("a generic -32603 Internal error (an unexpected exception in the server) reached the client");
        }
      }
      const result = message.result;
      if (typeof result === "object" && result !== null) {
        if (typeof result.nextCursor === "string") pool.addCursor(result.nextCursor);
        if (result.resultType === "input_required" && typeof result.requestState === "string") {
          stats.inputRequired++;
          harvestState(pool, m, result);
        }
      }
    }
  };
  const pendingReplies: Promise<void>[] = [];

  if (contentType === "text/event-stream") {
    stats.sse++;
    if (m.longLived) stats.longLived++;
    const parser = new SseParser({ allBlocks: true });
    const decoder = new TextDecoder();
    let events = 0;
    try {
      await readChunks(answer, limits.bodyMs, (chunk) => {
        const piece = decoder.decode(chunk, { stream: true });
        if (text.length < 1_000_000) text += piece;
        let stop = false;
        for (const event of parser.feed(piece)) {
          if (!("data" in event)) continue;
          events++;
          if (event.id !== undefined && m.slot !== undefined) pool.addEvent(m.slot, event.id);
          if (event.data.trim() === "") continue;
          let parsed: unknown;
          try {
            parsed = JSON.parse(event.data);
          } catch {
            fail("an SSE event whose data is not JSON");
          }
          const messages = messagesOf(parsed);
          checkMessages(messages);
          for (const message of messages) {
            if (typeof message.method === "string" && message.id !== undefined && message.id !== null) {
              stats.serverRequests++;
              if (m.slot !== undefined) pool.addServerRequest(m.slot, String(message.id));
              if (reply === "drop") stop = true;
              else {
                pendingReplies.push(answerServerRequest(ctx, m, message, reply));
                // A reply the server cannot match or take leaves the call waiting out its reply
                // timeout: the client leaves rather than wait with it.
                if (reply === "wrong-id" || reply === "invalid") stop = true;
              }
            }
          }
        }
        if (m.longLived && events > 0) stop = true;
        return stop;
      });
    } catch (error) {
      if (error instanceof FuzzFailure) throw error;
      if (error instanceof TimeoutError) {
        fail(`the SSE body did not end within ${limits.bodyMs} ms (${events} events)`);
      }
      fail(`reading the SSE body failed: ${String(error)}`);
    }
  } else {
    try {
      const decoder = new TextDecoder();
      await readChunks(answer, limits.bodyMs, (chunk) => {
        if (text.length < 16_000_000) text += decoder.decode(chunk, { stream: true });
        return false;
      });
      text += decoder.decode();
    } catch (error) {
      if (error instanceof TimeoutError) fail(`the body did not end within ${limits.bodyMs} ms`);
      fail(`reading the body failed: ${String(error)}`);
    }
    if (contentType === "application/json" && text.trim() !== "") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        fail("an application/json body that is not JSON");
      }
      checkMessages(messagesOf(parsed));
    }
  }

  const leak =
    leakIn(text, reqText) ?? leakIn([...answer.headers].map(([n, v]) => `${n}: ${v}`).join("\n"), reqText);
  if (leak !== undefined) fail(`the answer leaks ${leak}`);

  for (const pending of pendingReplies) await pending;
  return answer;
}

/** Reads what arrives within a short while (for reporting a failed answer). */
async function readSome(answer: Answer): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  try {
    await readChunks(answer, 2_000, (chunk) => {
      text += decoder.decode(chunk, { stream: true });
      return text.length > 10_000;
    });
  } catch {
    // what arrived is enough
  }
  return text;
}

function harvestState(pool: Pool, m: Materialized, result: Record<string, unknown>): void {
  const message = m.json as { params?: Record<string, unknown> } | undefined;
  const params = message?.params;
  if (typeof params !== "object" || params === null || typeof params.name !== "string") return;
  const requests = result.inputRequests;
  const asks: [string, string][] =
    typeof requests === "object" && requests !== null
      ? Object.entries(requests as Record<string, { method?: unknown }>).map(([key, r]) => [
          key,
          String(r?.method),
        ])
      : [];
  const meta = params._meta as Record<string, unknown> | undefined;
  pool.addState({
    name: params.name,
    arguments: params.arguments,
    requestState: result.requestState as string,
    asks,
    clientCapabilities: meta?.["io.modelcontextprotocol/clientCapabilities"] ?? {},
  });
}

/** The client's reply POST to a server→client request, checked like any other answer. */
async function answerServerRequest(
  ctx: CaseContext,
  m: Materialized,
  request: Message,
  mode: ReplyMode,
): Promise<void> {
  const sessionId = m.raw.headers.find(([n]) => n === "mcp-session-id")?.[1];
  if (sessionId === undefined) return;
  const authorization = m.raw.headers.find(([n]) => n === "authorization")?.[1];
  const id = mode === "wrong-id" ? `${String(request.id)}-wrong` : request.id;
  const result =
    request.method === "roots/list"
      ? { roots: [{ uri: "file:///tmp", name: "tmp" }] }
      : request.method === "sampling/createMessage"
        ? { role: "assistant", content: { type: "text", text: "hi" }, model: "fuzz" }
        : mode === "decline"
          ? { action: "decline" }
          : { action: "accept", content: { ok: true, name: "fuzz" } };
  const body =
    mode === "error"
      ? { jsonrpc: "2.0", id, error: { code: -1, message: "no" } }
      : mode === "invalid"
        ? { jsonrpc: "2.0", id, result: "garbage" }
        : mode === "odd"
          ? { jsonrpc: "2.0", id, result: { action: 42, content: "x", roots: null, __proto__: null } }
          : { jsonrpc: "2.0", id, result };
  const headers = authorization === undefined ? {} : { authorization };
  const raw = await rawOf(legacyPost(`${ctx.transport.origin}/mcp`, body, { sessionId, headers }), true);
  ctx.stats.replies++;
  await sendAndCheck(ctx, { raw, json: body, longLived: false, slot: m.slot }, "drop");
}

/** One fuzz case, end to end; returns nothing or throws a {@link FuzzFailure}. */
export async function exercise(ctx: CaseContext, c: FuzzCase): Promise<void> {
  await ctx.pool.reopenLost();
  const m = await materialize(c, ctx.pool, ctx.transport);
  const answer = await sendAndCheck(ctx, m, c.reply);
  if (m.raw.method.toUpperCase() === "DELETE" && m.slot !== undefined && answer.status === 200)
    ctx.pool.lost(m.slot);
}
