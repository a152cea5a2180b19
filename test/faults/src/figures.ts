/**
 * Figures and checks from what the driver recorded: request counts by result and status, 503s
 * with `Retry-After` and recovery per outage window, how every stream ended, and the write and
 * session checks of the verification phase.
 */
import type { Driver, LegacySession, Outcome, StreamEnd, StreamRecord } from "./driver.ts";
import { LEVELS } from "./driver.ts";
import { percentile, sleep } from "./util.ts";

/** A period during which a fault was in force: `start` when it began, `end` when it was undone. */
export interface Window {
  name: string;
  start: number;
  end: number;
}

export interface TrafficFigures {
  requests: number;
  ok: number;
  byResult: Record<string, number>;
  byStatus: Record<string, number>;
  http500: number;
  http502: number;
  http503: number;
  http503WithRetryAfter: number;
  /** Plain requests with no answer within the driver's timeout (hung requests). */
  timeouts: number;
  /** Plain requests answered with JSON-RPC -32603 (Internal error) in a 200. */
  rpcInternal: number;
  /** 503s outside every outage window (plus the recovery bound after it). */
  unexpected503: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
}

export interface OutageFigures {
  name: string;
  downMs: number;
  /** Plain requests that overlapped the window. */
  requests: number;
  http503: number;
  http503WithRetryAfter: number;
  retryAfterValues: string[];
  /** Overlapping plain legacy requests that failed otherwise (not 503). */
  otherFailures: Record<string, number>;
  /** Modern plain requests that overlapped the window, and how many were answered ok. */
  modern: { requests: number; ok: number };
  /** From the store being back to the first successful legacy request. */
  firstSuccessMs: number | undefined;
  /** From the store being back to the end of the last failed legacy request started after it. */
  fullRecoveryMs: number;
  /** Those failures (ms relative to the store being back). */
  failuresAfterBack: string[];
}

export interface StreamSummary {
  label: string;
  era: string;
  kind: string;
  endKind: StreamEnd;
  durationMs: number;
  /** Milliseconds left before its deadline when it ended (negative: late). */
  marginMs: number;
  progress: number;
  legs: string;
  finalId?: string | number | null;
  detail?: string;
}

export interface StreamFigures {
  total: number;
  byEnd: Record<string, number>;
  hung: number;
  maxDurationMs: number;
  list: StreamSummary[];
}

export interface WriteFigures {
  sessionsAcked: number;
  sessionsLost: number;
  notesAcked: number;
  notesUnacked: number;
  notesLost: number;
  levelsAcked: number;
  levelsLost: number;
  /** Exact observations of every loss. */
  losses: string[];
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const STREAM_OPS = new Set(["long", "resume"]);

export function isPlain(outcome: Outcome): boolean {
  return !STREAM_OPS.has(outcome.op);
}

function count<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

export function trafficFigures(
  outcomes: Outcome[],
  windows: Window[],
  recoveryBoundMs: number,
): TrafficFigures {
  const plain = outcomes.filter(isPlain);
  const is503 = (o: Outcome) => o.status === 503;
  const inWindow = (o: Outcome) =>
    windows.some((w) => o.start <= w.end + recoveryBoundMs && o.end >= w.start);
  return {
    requests: outcomes.length,
    ok: outcomes.filter((o) => o.result === "ok").length,
    byResult: count(outcomes, (o) => o.result),
    byStatus: count(outcomes, (o) => String(o.status)),
    http500: outcomes.filter((o) => o.status === 500).length,
    http502: outcomes.filter((o) => o.status === 502).length,
    http503: outcomes.filter(is503).length,
    http503WithRetryAfter: outcomes.filter((o) => is503(o) && Number(o.retryAfter) >= 1).length,
    timeouts: plain.filter((o) => o.result === "timeout").length,
    rpcInternal: plain.filter((o) => o.result === "rpc-error" && o.rpcCode === -32603).length,
    unexpected503: outcomes.filter((o) => is503(o) && !inWindow(o)).length,
    p50Ms: percentile(
      plain.filter((o) => o.result === "ok").map((o) => o.end - o.start),
      50,
    ),
    p99Ms: percentile(
      plain.filter((o) => o.result === "ok").map((o) => o.end - o.start),
      99,
    ),
  };
}

/**
 * Figures of one outage. Recovery looks at legacy requests started after the store was back and
 * ended before `until` (the next fault, if any).
 */
export function outageFigures(
  outcomes: Outcome[],
  window: Window,
  until = Number.POSITIVE_INFINITY,
): OutageFigures {
  const plain = outcomes.filter(isPlain);
  const overlapping = plain.filter((o) => o.start <= window.end && o.end >= window.start);
  const legacy = plain.filter((o) => o.era === "legacy");
  const failedAfter = failuresAfter(outcomes, window, until);
  const firstOk = legacy
    .filter((o) => o.result === "ok" && o.end > window.end)
    .reduce((min, o) => Math.min(min, o.end), Number.POSITIVE_INFINITY);
  const during503 = overlapping.filter((o) => o.status === 503);
  return {
    name: window.name,
    downMs: window.end - window.start,
    requests: overlapping.length,
    http503: during503.length,
    http503WithRetryAfter: during503.filter((o) => Number(o.retryAfter) >= 1).length,
    retryAfterValues: [...new Set(during503.map((o) => String(o.retryAfter)))],
    otherFailures: count(
      overlapping.filter((o) => o.era === "legacy" && o.result !== "ok" && o.status !== 503),
      (o) => `${o.op}:${o.result}${o.rpcCode === undefined ? "" : `(${o.rpcCode})`}:${o.status}`,
    ),
    modern: {
      requests: overlapping.filter((o) => o.era === "modern").length,
      ok: overlapping.filter((o) => o.era === "modern" && o.result === "ok").length,
    },
    firstSuccessMs: Number.isFinite(firstOk) ? firstOk - window.end : undefined,
    fullRecoveryMs: failedAfter.reduce((max, o) => Math.max(max, o.end - window.end), 0),
    failuresAfterBack: listOutcomes(failedAfter, window.end, 20)
      .split("\n")
      .filter((l) => l !== ""),
  };
}

/**
 * Plain legacy requests started after `window` ended that failed, leaving out those still running
 * when the next fault began at `until` (they may have failed because of it).
 */
export function failuresAfter(
  outcomes: Outcome[],
  window: Window,
  until = Number.POSITIVE_INFINITY,
): Outcome[] {
  return outcomes.filter(
    (o) => isPlain(o) && o.era === "legacy" && o.start >= window.end && o.end < until && o.result !== "ok",
  );
}

export function streamFigures(streams: StreamRecord[]): StreamFigures {
  const list = streams.map(
    (s): StreamSummary => ({
      label: s.label,
      era: s.era,
      kind: s.kind,
      endKind: s.endKind,
      durationMs: s.end - s.start,
      marginMs: s.deadline - s.end,
      progress: s.progress.length,
      legs: s.legs
        .map(
          (l) =>
            `${l.kind}@${l.backend ?? "?"}:${l.status}/${l.endedBy}${l.retryHint ? `+retry${l.retryHint}` : ""}`,
        )
        .join(" → "),
      ...(s.final === undefined ? {} : { finalId: s.final.id ?? null }),
      ...(s.detail === undefined ? {} : { detail: s.detail }),
    }),
  );
  return {
    total: streams.length,
    byEnd: count(streams, (s) => s.endKind),
    hung: streams.filter((s) => s.endKind === "hung" || s.end > s.deadline).length,
    maxDurationMs: streams.reduce((max, s) => Math.max(max, s.end - s.start), 0),
    list,
  };
}

/** Repeats `attempt` while it returns `retry`, for at most `ms`. */
async function retrying<T>(ms: number, attempt: () => Promise<T | "retry">): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await attempt();
    if (value !== "retry") return value;
    if (Date.now() > deadline) return undefined;
    await sleep(200);
  }
}

/**
 * The verification phase: every session the driver opened (its `initialize` acknowledged) must
 * answer `ping` through each backend in `pins`; its stored notes must hold every acknowledged
 * token; its log level must be the last acknowledged `logging/setLevel` (or a later unacknowledged
 * one, which may have been applied). Transient failures (503, network) are retried for up to
 * `retryMs`; a 404 is a lost session at once.
 */
export async function verify(driver: Driver, pins: number[], retryMs = 8_000): Promise<WriteFigures> {
  driver.verifying = true;
  const losses: string[] = [];
  let sessionsLost = 0;
  let notesLost = 0;
  let levelsLost = 0;
  const checkSession = async (session: LegacySession) => {
    let lost = false;
    for (const pin of pins) {
      const answer = await retrying(retryMs, async () => {
        const sent = await driver.ping(session, { pin });
        if (sent.outcome.result === "ok") return "ok";
        if (sent.outcome.status === 404) return `404 ${sent.outcome.detail ?? ""}`;
        return "retry";
      });
      if (answer !== "ok") {
        lost = true;
        losses.push(
          `session ${session.id} (created ${new Date(session.createdAt).toISOString()}): ping via backend ${pin} → ${answer ?? `no success within ${retryMs} ms`}`,
        );
      }
    }
    if (lost) {
      sessionsLost++;
      return;
    }
    const tokens = await retrying(retryMs, async () => (await driver.readNotes(session)) ?? "retry");
    const acked = session.notes.filter((n) => n.acked);
    if (tokens === undefined) {
      if (acked.length > 0) {
        notesLost += acked.length;
        losses.push(`session ${session.id}: notes unreadable within ${retryMs} ms`);
      }
    } else {
      for (const note of acked) {
        if (!tokens.includes(note.token)) {
          notesLost++;
          losses.push(
            `session ${session.id}: note ${note.token} acknowledged at ${new Date(note.at).toISOString()} is missing`,
          );
        }
      }
    }
    if (session.levels.length > 0) {
      const observed = await retrying(retryMs, async () => (await driver.readLevel(session)) ?? "retry");
      // The last acknowledged level, or a later unacknowledged one (it may have been applied);
      // with none acknowledged, the initial level (debug) or any of them.
      const lastAcked = session.levels.map((l) => l.acked).lastIndexOf(true);
      const allowed = new Set<string>([
        lastAcked < 0 ? LEVELS[0] : (session.levels[lastAcked]?.level as string),
      ]);
      for (const later of session.levels.slice(lastAcked + 1)) allowed.add(later.level);
      if (observed === undefined || !allowed.has(observed)) {
        levelsLost++;
        losses.push(
          `session ${session.id}: log level is ${observed ?? "unreadable"}, expected one of ${[...allowed].join("/")} (writes: ${session.levels.map((l) => `${l.level}${l.acked ? "✓" : "✗"}`).join(" ")})`,
        );
      }
    }
  };
  const queue = [...driver.sessions];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let session = queue.shift(); session !== undefined; session = queue.shift()) {
        await checkSession(session);
      }
    }),
  );
  driver.verifying = false;
  const notes = driver.sessions.flatMap((s) => s.notes);
  const levels = driver.sessions.flatMap((s) => s.levels);
  return {
    sessionsAcked: driver.sessions.length,
    sessionsLost,
    notesAcked: notes.filter((n) => n.acked).length,
    notesUnacked: notes.filter((n) => !n.acked).length,
    notesLost,
    levelsAcked: levels.filter((l) => l.acked).length,
    levelsLost,
    losses,
  };
}

export function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

/** One line per outcome, for failure details (at most `max`). */
export function listOutcomes(outcomes: Outcome[], origin: number, max = 10): string {
  const lines = outcomes
    .slice(0, max)
    .map(
      (o) =>
        `${o.era} ${o.op} t+${o.start - origin}ms..${o.end - origin}ms → ${o.status} ${o.result}${o.rpcCode === undefined ? "" : ` ${o.rpcCode}`}${o.backend === undefined ? "" : ` via ${o.backend}`}${o.detail ? ` (${o.detail.slice(0, 160)})` : ""}`,
    );
  if (outcomes.length > max) lines.push(`… and ${outcomes.length - max} more`);
  return lines.join("\n");
}

/** One line per stream, for failure details. */
export function listStreams(streams: StreamSummary[]): string {
  return streams
    .map(
      (s) =>
        `${s.label} [${s.era} ${s.kind}] ${s.endKind} after ${s.durationMs} ms (margin ${s.marginMs} ms), ${s.progress} progress, legs ${s.legs}${s.finalId !== undefined ? `, final id ${JSON.stringify(s.finalId)}` : ""}${s.detail ? ` — ${s.detail.slice(0, 200)}` : ""}`,
    )
    .join("\n");
}
