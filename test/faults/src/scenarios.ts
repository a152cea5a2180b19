/**
 * The three fault scenarios, each run against a cluster — a store, three instances, the proxy —
 * with traffic from the driver, and each returning its figures and the verdict of every check.
 * The test file asserts the checks; the figures go to `bench/results/` (see results.ts).
 *
 * (a) store: the store is frozen (SIGSTOP) for `freezeMs`, thawed, then killed and restarted on
 *     the same port and data after `downMs`, all under traffic and with long calls streaming.
 * (b) kill: one instance is SIGKILLed while long calls stream from it; the clients resume them on
 *     the others with `Last-Event-ID`.
 * (c) sigterm: one instance gets SIGTERM while long calls (shorter and longer than the grace
 *     period) and a standalone GET stream are open on it.
 */
import { Driver, type LegacySession, type StreamRecord } from "./driver.ts";
import {
  type Check,
  check,
  failuresAfter,
  isPlain,
  listOutcomes,
  listStreams,
  type OutageFigures,
  outageFigures,
  type StreamFigures,
  streamFigures,
  type TrafficFigures,
  trafficFigures,
  verify,
  type Window,
  type WriteFigures,
} from "./figures.ts";
import { type Instance, startInstances } from "./instances.ts";
import { type ProxyStats, type RoundRobinProxy, startProxy } from "./proxy.ts";
import { type StoreController, type StoreKind, startStore } from "./stores.ts";
import { sleep } from "./util.ts";

/** The bounds every scenario works with (milliseconds). */
export const BOUNDS = {
  /** `storeTimeoutMs` of every instance. */
  storeTimeoutMs: 1_000,
  /** `gracefulTimeoutMs` of `serve()` in every instance. */
  gracefulMs: 3_000,
  /** `leaseMs` of every instance: a resumer declares a silent owner gone after 1.5 × this. */
  leaseMs: 3_000,
  /** (a) how long the store stays frozen. */
  freezeMs: 3_000,
  /** (a) how long the store stays down between kill and restart. */
  downMs: 2_000,
  /** Added to every stream's expected end before it counts as hung. */
  slackMs: 4_000,
  /** After a fault is undone, requests must succeed again within this. */
  recoveryMs: 5_000,
  /** A plain request not answered within this is a hung request. */
  requestMs: 10_000,
} as const;

const SECRET = "portico-fault-suite-shared-secret-of-32-bytes";

export type ScenarioId = "a" | "b" | "c";

export const TITLES: Record<ScenarioId, string> = {
  a: "(a) store frozen, then killed and restarted, mid-traffic",
  b: "(b) an instance killed (SIGKILL) mid-stream",
  c: "(c) SIGTERM during long calls",
};

/** The name of every check (the test file makes one test of each). */
export const CHECK = {
  WRITES: "no acknowledged write lost",
  SESSIONS: "no session lost",
  HUNG: "every stream ends within its bound (hung streams = 0)",
  ANSWERED: "every legacy call ends with its answer or a JSON-RPC error",
  NO500: "no HTTP 500",
  NOHUNGREQ: "no hung plain request",
  RETRYAFTER: "503 + Retry-After during each outage",
  NOSTRAY503: "no 503 outside the outages",
  NOINTERNAL: "a store outage is answered 503, never as a JSON-RPC Internal error (-32603)",
  MODERN: "modern requests (no store needed) are unaffected by the outage",
  NO503: "no 503 (the store is fine)",
  ROUTED: "requests started after the kill succeed (the proxy routes around the dead instance)",
  CONTROL: "streams on the other instances complete with their result",
  NOFAIL: "no plain request fails (graceful shutdown, the proxy moves on)",
  GET: "the standalone GET stream ends with a retry hint within 1.5 s of SIGTERM",
  SHORT: "calls shorter than the grace period complete with their result",
  RECOVERY: `recovery within ${BOUNDS.recoveryMs} ms of the store being back`,
  LEASE_KILL: `[lease] legacy calls of the killed instance end with a JSON-RPC error within ${1.5 * BOUNDS.leaseMs + BOUNDS.storeTimeoutMs + BOUNDS.slackMs} ms of the kill`,
  EXIT: `the instance exits within grace + 2 s (${BOUNDS.gracefulMs + 2_000} ms of SIGTERM)`,
  MODERN_LONG: `modern calls longer than the grace period end when it does (within ${BOUNDS.gracefulMs + 1_500} ms of SIGTERM)`,
  SIGNAL: `[signal] the handler's ctx.signal fires deadlineMarginMs before the grace period ends, so calls longer than it end with an answer on their first stream before it does (within ${BOUNDS.gracefulMs} ms of SIGTERM)`,
  LEASE_TERM: `[lease] legacy calls longer than the grace period end with a JSON-RPC error within ${BOUNDS.gracefulMs + 1.5 * BOUNDS.leaseMs + BOUNDS.storeTimeoutMs + BOUNDS.slackMs} ms of SIGTERM`,
} as const;

const COMMON = [CHECK.WRITES, CHECK.SESSIONS, CHECK.HUNG, CHECK.ANSWERED, CHECK.NO500, CHECK.NOHUNGREQ];

/** The checks of each scenario, in report order. */
export const CHECKS: Record<ScenarioId, string[]> = {
  a: [...COMMON, CHECK.RETRYAFTER, CHECK.RECOVERY, CHECK.NOSTRAY503, CHECK.NOINTERNAL, CHECK.MODERN],
  b: [...COMMON, CHECK.NO503, CHECK.ROUTED, CHECK.LEASE_KILL, CHECK.CONTROL],
  c: [
    ...COMMON,
    CHECK.NO503,
    CHECK.NOFAIL,
    CHECK.EXIT,
    CHECK.GET,
    CHECK.SHORT,
    CHECK.MODERN_LONG,
    CHECK.LEASE_TERM,
    CHECK.SIGNAL,
    CHECK.CONTROL,
  ],
};

export interface ScenarioReport {
  store: StoreKind;
  scenario: ScenarioId;
  title: string;
  startedAt: string;
  durationMs: number;
  /** Milestones, in ms after the scenario started. */
  timeline: Record<string, number>;
  traffic: TrafficFigures;
  outages: OutageFigures[];
  streams: StreamFigures;
  writes: WriteFigures;
  proxy: ProxyStats;
  /** `onError` counts of the instances alive at the end (where → count). */
  instanceErrors: Record<string, Record<string, number>>;
  checks: Check[];
}

/** A store, three instances sharing it, and the proxy in front of them. */
export class Cluster {
  readonly store: StoreController;
  readonly instances: Instance[];
  readonly proxy: RoundRobinProxy;

  private constructor(store: StoreController, instances: Instance[], proxy: RoundRobinProxy) {
    this.store = store;
    this.instances = instances;
    this.proxy = proxy;
  }

  static async start(kind: StoreKind, count = 3): Promise<Cluster> {
    const store = await startStore(kind);
    let instances: Instance[] = [];
    try {
      instances = await startInstances(
        count,
        {
          ...store.env,
          FAULTS_SECRET: SECRET,
          FAULTS_STORE_TIMEOUT_MS: String(BOUNDS.storeTimeoutMs),
          FAULTS_GRACEFUL_MS: String(BOUNDS.gracefulMs),
          FAULTS_LEASE_MS: String(BOUNDS.leaseMs),
        },
        kind,
      );
      const proxy = await startProxy(instances.map((i) => i.port));
      return new Cluster(store, instances, proxy);
    } catch (error) {
      await Promise.all(instances.map((i) => i.stop()));
      await store.stop();
      throw error;
    }
  }

  /** Restarts every instance that is not running (same port). */
  async ensureRunning(): Promise<void> {
    await Promise.all(this.instances.filter((i) => !i.alive).map((i) => i.restart()));
  }

  /** Stops everything; never throws. */
  async close(): Promise<void> {
    await this.proxy.close().catch(() => {});
    await Promise.all(this.instances.map((i) => i.stop().catch(() => {})));
    await this.store.stop().catch(() => {});
  }
}

function proxyDelta(before: ProxyStats, after: ProxyStats): ProxyStats {
  return {
    requests: after.requests - before.requests,
    perBackend: after.perBackend.map((n, i) => n - (before.perBackend[i] ?? 0)),
    refused: after.refused - before.refused,
    resent: after.resent - before.resent,
    badGateway: after.badGateway - before.badGateway,
    truncated: after.truncated - before.truncated,
  };
}

async function openSessions(driver: Driver, count: number): Promise<LegacySession[]> {
  const sessions: LegacySession[] = [];
  const deadline = Date.now() + 10_000;
  while (sessions.length < count) {
    const session = await driver.openSession();
    if (session !== undefined) sessions.push(session);
    else if (Date.now() > deadline) throw new Error(`could not open ${count} sessions before the fault`);
  }
  return sessions;
}

async function instanceErrors(cluster: Cluster): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const instance of cluster.instances) {
    const stats = await instance.stats();
    if (stats !== undefined) out[instance.name] = stats.errors;
  }
  return out;
}

/** Checks that hold in every scenario. */
function commonChecks(
  driver: Driver,
  writes: WriteFigures,
  traffic: TrafficFigures,
  streams: StreamFigures,
  origin: number,
): Check[] {
  const all = [...driver.outcomes, ...driver.checks];
  const late = streams.list.filter((s) => s.endKind === "hung" || s.marginMs < 0);
  const legacyCalls = streams.list.filter((s) => s.era === "legacy" && s.kind === "call");
  const unanswered = legacyCalls.filter(
    (s) => !["result", "tool-error", "rpc-error", "refused"].includes(s.endKind),
  );
  return [
    check(
      CHECK.WRITES,
      writes.notesLost === 0 && writes.levelsLost === 0,
      `${writes.notesAcked} notes and ${writes.levelsAcked} setLevel writes acknowledged; lost: ${writes.notesLost} notes, ${writes.levelsLost} levels\n${writes.losses.filter((l) => !l.includes("ping via")).join("\n")}`,
    ),
    check(
      CHECK.SESSIONS,
      writes.sessionsLost === 0,
      `${writes.sessionsAcked} sessions acknowledged, ${writes.sessionsLost} lost\n${writes.losses.filter((l) => l.includes("ping via")).join("\n")}`,
    ),
    check(
      CHECK.HUNG,
      late.length === 0,
      `${streams.total} streams, ${late.length} hung or late\n${listStreams(late)}`,
    ),
    check(
      CHECK.ANSWERED,
      unanswered.length === 0,
      `${legacyCalls.length} legacy calls\n${listStreams(unanswered)}`,
    ),
    check(
      CHECK.NO500,
      all.every((o) => o.status !== 500),
      listOutcomes(
        all.filter((o) => o.status === 500),
        origin,
      ),
    ),
    check(
      CHECK.NOHUNGREQ,
      traffic.timeouts === 0,
      listOutcomes(
        driver.outcomes.filter((o) => isPlain(o) && o.result === "timeout"),
        origin,
      ),
    ),
  ];
}

/** Streams that should end by `ms` after now, with a fault of `faultMs` on the way. */
function deadline(ms: number, faultMs: number): number {
  return Date.now() + ms + faultMs + 1.5 * BOUNDS.leaseMs + BOUNDS.storeTimeoutMs + BOUNDS.slackMs;
}

// ---- (a) store frozen and restarted ----------------------------------------------------------

export async function storeOutage(cluster: Cluster): Promise<ScenarioReport> {
  await cluster.ensureRunning();
  const origin = Date.now();
  const proxyBefore = structuredClone(cluster.proxy.stats);
  const driver = new Driver({ url: cluster.proxy.url, requestTimeoutMs: BOUNDS.requestMs });
  const timeline: Record<string, number> = {};
  const mark = (name: string) => {
    timeline[name] = Date.now() - origin;
  };
  const sessions = await openSessions(driver, 6);
  const [s0, s1, s2, s3, s4] = sessions as [
    LegacySession,
    LegacySession,
    LegacySession,
    LegacySession,
    LegacySession,
  ];
  // Sessions that only take part in the bursts: one logging/setLevel each, sent 1 ms apart right
  // before the store goes away, so that some are caught between reading their session and writing
  // it (the store's answer to the write never comes).
  const burstSessions = await openSessions(driver, 24);
  const bursts: Promise<unknown>[] = [];
  const burst = async (): Promise<void> => {
    for (const session of burstSessions) {
      bursts.push(driver.setLevel(session));
      await sleep(1);
    }
  };
  driver.startLoad({ sessions, modern: 2, newSessionEveryMs: 700 });
  await sleep(1_500);

  const streams: Promise<StreamRecord>[] = [];
  const fault = Math.max(BOUNDS.freezeMs, BOUNDS.downMs);
  for (const [pin, session] of [s0, s1, s2].entries()) {
    streams.push(
      driver.legacyLong(session, {
        label: `freeze-long@${pin}`,
        ms: 5_000,
        pin,
        deadline: deadline(5_000, fault),
      }),
    );
  }
  streams.push(
    driver.legacyLong(s3, {
      label: "freeze-dropped-and-resumed",
      ms: 5_000,
      dropAfterMs: 300,
      resumeAfterMs: 1_500,
      deadline: deadline(5_000, fault),
    }),
  );
  streams.push(driver.modernLong({ label: "freeze-modern", ms: 5_000, deadline: deadline(5_000, fault) }));
  await sleep(1_000);

  const freeze: Window = { name: "freeze (SIGSTOP)", start: Date.now(), end: 0 };
  await burst();
  mark("freeze");
  cluster.store.freeze();
  await sleep(BOUNDS.freezeMs);
  cluster.store.thaw();
  freeze.end = Date.now();
  mark("thaw");
  await sleep(2_500);

  for (const [pin, session] of [s0, s4].entries()) {
    streams.push(
      driver.legacyLong(session, {
        label: `restart-long@${pin}`,
        ms: 3_000,
        pin,
        deadline: deadline(3_000, fault),
      }),
    );
  }
  streams.push(
    driver.legacyLong(s1, {
      label: "restart-dropped-and-resumed",
      ms: 3_000,
      dropAfterMs: 200,
      resumeAfterMs: 1_000,
      deadline: deadline(3_000, fault),
    }),
  );
  streams.push(driver.modernLong({ label: "restart-modern", ms: 3_000, deadline: deadline(3_000, fault) }));
  await sleep(700);

  const restart: Window = { name: "restart (SIGKILL + start)", start: Date.now(), end: 0 };
  await burst();
  mark("kill");
  await cluster.store.kill();
  await sleep(BOUNDS.downMs);
  await cluster.store.start();
  restart.end = Date.now();
  mark("restarted");
  await sleep(3_000);

  await driver.stopLoad();
  mark("load stopped");
  const records = await Promise.all(streams);
  await Promise.all(bursts);
  mark("streams ended");
  const writes = await verify(driver, [0, 1, 2]);
  mark("verified");

  const windows = [freeze, restart];
  const traffic = trafficFigures(driver.outcomes, windows, BOUNDS.recoveryMs);
  const outages = windows.map((w, i) => outageFigures(driver.outcomes, w, windows[i + 1]?.start));
  const streamFigs = streamFigures(records);
  const checks = commonChecks(driver, writes, traffic, streamFigs, origin);
  checks.push(
    check(
      CHECK.RETRYAFTER,
      outages.every((o) => o.http503 > 0 && o.http503WithRetryAfter === o.http503),
      outages
        .map(
          (o) =>
            `${o.name}: ${o.http503} × 503, ${o.http503WithRetryAfter} with Retry-After ≥ 1 (${o.retryAfterValues.join(", ")})`,
        )
        .join("\n"),
    ),
    check(
      CHECK.RECOVERY,
      outages.every((o) => o.firstSuccessMs !== undefined && o.fullRecoveryMs <= BOUNDS.recoveryMs),
      outages
        .map(
          (o) =>
            `${o.name}: first success after ${o.firstSuccessMs ?? "never"} ms, last failure ended ${o.fullRecoveryMs} ms after`,
        )
        .join("\n") +
        `\n${listOutcomes(
          windows.flatMap((w, i) => failuresAfter(driver.outcomes, w, windows[i + 1]?.start)),
          origin,
        )}`,
    ),
    check(
      CHECK.NOSTRAY503,
      traffic.unexpected503 === 0,
      listOutcomes(
        driver.outcomes.filter(
          (o) =>
            o.status === 503 &&
            !windows.some((w) => o.start <= w.end + BOUNDS.recoveryMs && o.end >= w.start),
        ),
        origin,
      ),
    ),
    check(
      CHECK.NOINTERNAL,
      traffic.rpcInternal === 0,
      listOutcomes(
        driver.outcomes.filter((o) => isPlain(o) && o.result === "rpc-error" && o.rpcCode === -32603),
        origin,
      ),
    ),
    check(
      CHECK.MODERN,
      outages.every((o) => o.modern.ok === o.modern.requests) &&
        records.filter((r) => r.era === "modern").every((r) => r.endKind === "result"),
      outages.map((o) => `${o.name}: modern ${o.modern.ok}/${o.modern.requests} ok`).join("\n") +
        `\n${listStreams(streamFigs.list.filter((s) => s.era === "modern"))}`,
    ),
  );
  return {
    store: cluster.store.kind,
    scenario: "a",
    title: TITLES.a,
    startedAt: new Date(origin).toISOString(),
    durationMs: Date.now() - origin,
    timeline,
    traffic,
    outages,
    streams: streamFigs,
    writes,
    proxy: proxyDelta(proxyBefore, cluster.proxy.stats),
    instanceErrors: await instanceErrors(cluster),
    checks,
  };
}

// ---- (b) an instance killed mid-stream -------------------------------------------------------

export async function instanceKilled(cluster: Cluster): Promise<ScenarioReport> {
  await cluster.ensureRunning();
  const origin = Date.now();
  const proxyBefore = structuredClone(cluster.proxy.stats);
  const driver = new Driver({ url: cluster.proxy.url, requestTimeoutMs: BOUNDS.requestMs });
  const timeline: Record<string, number> = {};
  const mark = (name: string) => {
    timeline[name] = Date.now() - origin;
  };
  const victim = 1;
  const sessions = await openSessions(driver, 5);
  driver.startLoad({ sessions, modern: 2, newSessionEveryMs: 700 });
  await sleep(1_000);

  const killBound = () => deadline(0, 0) + 2_000;
  const onVictim: Promise<StreamRecord>[] = [];
  const control: Promise<StreamRecord>[] = [];
  for (const [i, session] of sessions.slice(0, 3).entries()) {
    onVictim.push(
      driver.legacyLong(session, {
        label: `victim-legacy-${i}`,
        ms: 8_000,
        pin: victim,
        deadline: killBound() + 1_500,
      }),
    );
  }
  onVictim.push(
    driver.modernLong({ label: "victim-modern", ms: 8_000, pin: victim, deadline: killBound() + 1_500 }),
  );
  control.push(
    driver.legacyLong(sessions[3] as LegacySession, {
      label: "control-legacy@0",
      ms: 4_000,
      pin: 0,
      deadline: deadline(4_000, 0),
    }),
  );
  control.push(
    driver.modernLong({ label: "control-modern@2", ms: 4_000, pin: 2, deadline: deadline(4_000, 0) }),
  );
  await sleep(1_500);

  const instance = cluster.instances[victim] as Instance;
  const killedAt = Date.now();
  mark("kill");
  instance.signal("SIGKILL");
  await instance.waitExit(5_000);
  mark("exited");
  await sleep(2_500);
  const restartAt = Date.now();
  await instance.restart();
  mark("restarted");
  const restartMs = Date.now() - restartAt;
  await sleep(1_500);
  await driver.stopLoad();
  mark("load stopped");
  const victimRecords = await Promise.all(onVictim);
  const controlRecords = await Promise.all(control);
  mark("streams ended");
  const writes = await verify(driver, [0, 1, 2]);
  mark("verified");

  const traffic = trafficFigures(driver.outcomes, [], BOUNDS.recoveryMs);
  const streamFigs = streamFigures([...victimRecords, ...controlRecords]);
  const checks = commonChecks(driver, writes, traffic, streamFigs, origin);
  // In flight at the kill: answered by nobody (502, a cut) — expected. Started after it: must succeed.
  const after = driver.outcomes.filter((o) => isPlain(o) && o.start > killedAt + 100);
  const failedAfter = after.filter((o) => o.result !== "ok");
  const firstOkAfter = after.find((o) => o.result === "ok");
  const legacyVictims = victimRecords.filter((r) => r.era === "legacy");
  const leaseBound = killedAt + 1.5 * BOUNDS.leaseMs + BOUNDS.storeTimeoutMs + BOUNDS.slackMs;
  checks.push(
    check(
      CHECK.NO503,
      traffic.http503 === 0,
      listOutcomes(
        driver.outcomes.filter((o) => o.status === 503),
        origin,
      ),
    ),
    check(
      CHECK.ROUTED,
      failedAfter.length === 0,
      `${after.length} requests after the kill, first ok after ${firstOkAfter ? firstOkAfter.end - killedAt : "never"} ms\n${listOutcomes(failedAfter, origin)}`,
    ),
    check(
      CHECK.LEASE_KILL,
      legacyVictims.every((r) => r.endKind === "rpc-error" && r.end <= leaseBound),
      listStreams(
        streamFigures(legacyVictims).list.map((s, i) => ({
          ...s,
          detail: `ended ${(legacyVictims[i] as StreamRecord).end - killedAt} ms after the kill${s.detail ? `; ${s.detail}` : ""}`,
        })),
      ),
    ),
    check(
      CHECK.CONTROL,
      controlRecords.every((r) => r.endKind === "result"),
      listStreams(streamFigures(controlRecords).list),
    ),
  );
  return {
    store: cluster.store.kind,
    scenario: "b",
    title: TITLES.b,
    startedAt: new Date(origin).toISOString(),
    durationMs: Date.now() - origin,
    timeline: { ...timeline, "instance restart ms": restartMs },
    traffic,
    outages: [],
    streams: streamFigs,
    writes,
    proxy: proxyDelta(proxyBefore, cluster.proxy.stats),
    instanceErrors: await instanceErrors(cluster),
    checks,
  };
}

// ---- (c) SIGTERM during long calls -----------------------------------------------------------

export async function sigtermDuringCalls(cluster: Cluster): Promise<ScenarioReport> {
  await cluster.ensureRunning();
  const origin = Date.now();
  const proxyBefore = structuredClone(cluster.proxy.stats);
  const driver = new Driver({ url: cluster.proxy.url, requestTimeoutMs: BOUNDS.requestMs });
  const timeline: Record<string, number> = {};
  const mark = (name: string) => {
    timeline[name] = Date.now() - origin;
  };
  const victim = 2;
  const sessions = await openSessions(driver, 5);
  const [s0, s1, s2, s3, s4] = sessions as [
    LegacySession,
    LegacySession,
    LegacySession,
    LegacySession,
    LegacySession,
  ];
  driver.startLoad({ sessions, modern: 2, newSessionEveryMs: 700 });
  await sleep(1_000);

  const shortMs = BOUNDS.gracefulMs - 1_500;
  const longMs = BOUNDS.gracefulMs + 5_000;
  const bound = (ms: number) => deadline(ms, 0);
  let opened!: () => void;
  const getOpen = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const get = driver.standaloneGet(s4, { label: "victim-get", pin: victim, deadline: bound(longMs), opened });
  const short = [
    driver.legacyLong(s0, {
      label: "victim-legacy-short-0",
      ms: shortMs,
      pin: victim,
      deadline: bound(shortMs),
    }),
    driver.legacyLong(s1, {
      label: "victim-legacy-short-1",
      ms: shortMs,
      pin: victim,
      deadline: bound(shortMs),
    }),
    driver.modernLong({ label: "victim-modern-short", ms: shortMs, pin: victim, deadline: bound(shortMs) }),
  ];
  const long = [
    driver.legacyLong(s2, {
      label: "victim-legacy-long-0",
      ms: longMs,
      pin: victim,
      deadline: bound(longMs),
    }),
    driver.legacyLong(s3, {
      label: "victim-legacy-long-1",
      ms: longMs,
      pin: victim,
      deadline: bound(longMs),
    }),
    driver.modernLong({ label: "victim-modern-long", ms: longMs, pin: victim, deadline: bound(longMs) }),
  ];
  const control = [
    driver.legacyLong(s4, { label: "control-legacy@0", ms: 3_000, pin: 0, deadline: bound(3_000) }),
  ];
  await Promise.race([getOpen, sleep(3_000)]);
  await sleep(500);

  const instance = cluster.instances[victim] as Instance;
  const termAt = Date.now();
  mark("sigterm");
  instance.signal("SIGTERM");
  const exitedInTime = await instance.waitExit(BOUNDS.gracefulMs + 5_000);
  const exitMs = Date.now() - termAt;
  mark("exited");
  const shutdownEvents = instance.events.map((e) => `${e.event}${e.ms === undefined ? "" : ` ${e.ms} ms`}`);
  if (!exitedInTime) await instance.stop();
  await sleep(1_000);
  await instance.restart();
  mark("restarted");
  await sleep(1_000);
  await driver.stopLoad();
  mark("load stopped");
  const getRecord = await get;
  const shortRecords = await Promise.all(short);
  const longRecords = await Promise.all(long);
  const controlRecords = await Promise.all(control);
  mark("streams ended");
  const writes = await verify(driver, [0, 1, 2]);
  mark("verified");

  const traffic = trafficFigures(driver.outcomes, [], BOUNDS.recoveryMs);
  const all = [getRecord, ...shortRecords, ...longRecords, ...controlRecords];
  const streamFigs = streamFigures(all);
  const checks = commonChecks(driver, writes, traffic, streamFigs, origin);
  const failed = driver.outcomes.filter((o) => isPlain(o) && o.result !== "ok");
  const graceEnd = termAt + BOUNDS.gracefulMs;
  const leaseBound = graceEnd + 1.5 * BOUNDS.leaseMs + BOUNDS.storeTimeoutMs + BOUNDS.slackMs;
  const legacyLong = longRecords.filter((r) => r.era === "legacy");
  const modernLong = longRecords.filter((r) => r.era === "modern");
  const since = (r: StreamRecord) => `${r.end - termAt} ms after SIGTERM`;
  checks.push(
    check(
      CHECK.NO503,
      traffic.http503 === 0,
      listOutcomes(
        driver.outcomes.filter((o) => o.status === 503),
        origin,
      ),
    ),
    check(
      CHECK.NOFAIL,
      failed.length === 0,
      `${driver.outcomes.filter(isPlain).length} plain requests\n${listOutcomes(failed, origin)}`,
    ),
    check(
      CHECK.EXIT,
      exitedInTime && exitMs <= BOUNDS.gracefulMs + 2_000,
      `exited ${exitedInTime ? `after ${exitMs} ms` : "not at all (SIGKILLed)"}; steps: ${shutdownEvents.join(", ")}`,
    ),
    check(
      CHECK.GET,
      getRecord.endKind === "retry-hint" && getRecord.end - termAt <= 1_500,
      `${getRecord.endKind} ${since(getRecord)}; ${listStreams(streamFigures([getRecord]).list)}`,
    ),
    check(
      CHECK.SHORT,
      shortRecords.every((r) => r.endKind === "result"),
      listStreams(streamFigures(shortRecords).list),
    ),
    check(
      CHECK.MODERN_LONG,
      modernLong.every((r) => r.endKind !== "hung" && r.end <= graceEnd + 1_500),
      modernLong.map((r) => `${r.label}: ${r.endKind} ${since(r)}`).join("\n"),
    ),
    check(
      CHECK.LEASE_TERM,
      legacyLong.every((r) => r.endKind === "rpc-error" && r.end <= leaseBound),
      listStreams(
        streamFigures(legacyLong).list.map((s, i) => ({
          ...s,
          detail: `ended ${since(legacyLong[i] as StreamRecord)}${s.detail ? `; ${s.detail}` : ""}`,
        })),
      ),
    ),
    check(
      CHECK.SIGNAL,
      longRecords.every((r) => {
        const first = r.legs[0];
        return first !== undefined && first.endedBy === "final" && first.end <= termAt + BOUNDS.gracefulMs;
      }),
      longRecords
        .map((r) => {
          const first = r.legs[0];
          return `${r.label}: first stream ${first?.endedBy ?? "?"} ${first ? first.end - termAt : "?"} ms after SIGTERM (${r.progress.length} progress notifications), finally ${r.endKind}${r.final?.error ? ` "${r.final.error.message}"` : ""}`;
        })
        .join("\n"),
    ),
    check(
      CHECK.CONTROL,
      controlRecords.every((r) => r.endKind === "result"),
      listStreams(streamFigures(controlRecords).list),
    ),
  );
  return {
    store: cluster.store.kind,
    scenario: "c",
    title: TITLES.c,
    startedAt: new Date(origin).toISOString(),
    durationMs: Date.now() - origin,
    timeline: { ...timeline, "exit ms after SIGTERM": exitMs },
    traffic,
    outages: [],
    streams: streamFigs,
    writes,
    proxy: proxyDelta(proxyBefore, cluster.proxy.stats),
    instanceErrors: await instanceErrors(cluster),
    checks,
  };
}

export const SCENARIOS: Record<ScenarioId, (cluster: Cluster) => Promise<ScenarioReport>> = {
  a: storeOutage,
  b: instanceKilled,
  c: sigtermDuringCalls,
};
