/**
 * Tasks under instance failure (see ../README.md, "Tasks"): for each store — a real redis-server,
 * and dynalite standing in for DynamoDB — two instances share the store on 127.0.0.1 (no proxy:
 * every request names its instance), and a `task_steps` task (20 steps of 150 ms, a checkpoint
 * saved after each, every executed step also written to a ledger in the store) is started, then
 * the instance running it is killed with SIGKILL:
 *
 * - (A) mid-run, after at least 3 checkpoints: it must be resumed from the checkpoint on another
 *   instance, both survivors (instance 2 and instance 1 started again) polling `tasks/get` so that
 *   both race to take it up;
 * - (B) right after its CreateTaskResult (usually before its run made any progress; on a loaded
 *   machine after a step or so, which must then be resumed from its checkpoint like A);
 * - (C) before its run started at all (an instance whose dispatch waits 60 s).
 *
 * Each must end `completed` — never stuck `working` — within 4 × leaseMs + steps × stepMs + slack
 * of the kill, every step 1..20 in order exactly once in the final log, a step whose checkpoint was
 * saved never executed again, exactly one take-up (one run started on the survivors, from the
 * killed run's last checkpoint), and no two runs executing at once (the ledger's runs are disjoint
 * in time, the take-up starting only after the killed run's lease ran out).
 *
 * The take-up is driven by the survivors' `tasks/get` (nothing else resumes a task whose instance
 * died), and the ledger and records are read through the instances' `/__faults/task` and
 * `/__faults/ledger` (the session store, outside the protocol).
 *
 * PORTICO_FAULTS_STORES=redis (or dynamodb) runs one store only.
 */
import { type JsonRpcMessage, modernPost, readJsonRpc } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance, startInstances } from "../src/instances.ts";
import { type StoreController, type StoreKind, startStore } from "../src/stores.ts";
import type { StepEntry } from "../src/task-ledger.ts";
import { sleep } from "../src/util.ts";

const STORES = (process.env.PORTICO_FAULTS_STORES ?? "redis,dynamodb")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is StoreKind => s === "redis" || s === "dynamodb");

const EXT = "io.modelcontextprotocol/tasks";
const CAPS = { extensions: { [EXT]: {} } };
const LEASE_MS = 1500;
const STEPS = 20;
const STEP_MS = 150;
/** From the kill to the task's outcome at most (the brief's bound: the lease 4 times over, all steps, slack). */
const DONE_WITHIN_MS = 4 * LEASE_MS + STEPS * STEP_MS + 5_000;
/**
 * From the moment the task is due to be taken up (its lease ran out and the survivors poll) to the
 * take-up's first step, at most: a poll round, the compare-and-set, the run's claim.
 */
const TAKEN_UP_WITHIN_MS = 1_000;
const POLL_EVERY_MS = 50;

/** A run as `task_steps` records it in its checkpoint. */
interface RunEntry {
  instance: string;
  pid: number;
  run: string;
  from: number;
}

/** A task's stored record (the fields read here). */
interface StoredTask {
  status: string;
  runs: number;
  lease?: { by: string; until: number };
  checkpoint?: { n: number; log: string[]; runs: RunEntry[] };
}

/** One `tasks/get` of the race: who answered, when, what. */
interface Observation {
  instance: string;
  round: number;
  at: number;
  status?: string;
  error?: string;
}

const requestId = (() => {
  let next = 1;
  return () => next++;
})();

/** A 2026-07-28 request declaring the tasks extension; resolves its final JSON-RPC message. */
async function rpc(
  instance: Instance,
  method: string,
  params: Record<string, unknown>,
): Promise<JsonRpcMessage> {
  const name = method.startsWith("tasks/") ? (params.taskId as string) : undefined;
  const request = modernPost(instance.url, method, params, {
    id: requestId(),
    clientCapabilities: CAPS,
    ...(name === undefined ? {} : { headers: { "Mcp-Name": name } }),
  });
  const response = await fetch(request, { signal: AbortSignal.timeout(5_000) });
  const messages = await readJsonRpc(response, { timeoutMs: 5_000 });
  const final = messages.find((m) => m.id !== undefined && (m.result !== undefined || m.error !== undefined));
  if (final === undefined) {
    throw new Error(
      `${method} on ${instance.name}: no answer (HTTP ${response.status}) ${JSON.stringify(messages)}`,
    );
  }
  return final;
}

/** A debug read of the instance (`/__faults/task`, `/__faults/ledger`): the stored value, or `undefined`. */
async function debugRead<T>(instance: Instance, path: string): Promise<T | undefined> {
  const response = await fetch(`http://127.0.0.1:${instance.port}/__faults/${path}`, {
    signal: AbortSignal.timeout(3_000),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`${path} on ${instance.name}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

const storedTask = (instance: Instance, id: string) =>
  debugRead<StoredTask>(instance, `task?id=${encodeURIComponent(id)}`);
const ledgerOf = async (instance: Instance, key: string) =>
  (await debugRead<{ steps: StepEntry[] }>(instance, `ledger?key=${encodeURIComponent(key)}`))?.steps ?? [];

/** Starts a `task_steps` task on `instance`; resolves its id (the CreateTaskResult is checked). */
async function createTask(instance: Instance, key: string): Promise<string> {
  const created = await rpc(instance, "tools/call", {
    name: "task_steps",
    arguments: { key, steps: STEPS, stepMs: STEP_MS },
  });
  expect(created.error, `tools/call on ${instance.name}`).toBeUndefined();
  expect(created.result).toMatchObject({ resultType: "task", status: "working", pollIntervalMs: 200 });
  expect(created.result.taskId).toEqual(expect.any(String));
  return created.result.taskId as string;
}

/** SIGKILL, waiting for the exit; resolves when it exited. */
async function kill(instance: Instance): Promise<number> {
  instance.signal("SIGKILL");
  expect(await instance.waitExit(5_000), `${instance.name} exits on SIGKILL`).toBe(true);
  return Date.now();
}

/**
 * Polls `tasks/get` on every instance of `pollers` in rounds — in each round all of them at once,
 * so that when the lease runs out they race to take the task up — every 50 ms until one answers a
 * terminal status or `timeoutMs` passes.
 */
async function race(
  taskId: string,
  pollers: Instance[],
  timeoutMs: number,
): Promise<{
  final: Record<string, any> | undefined;
  at: number;
  from: number;
  observations: Observation[];
}> {
  const observations: Observation[] = [];
  const from = Date.now();
  const deadline = from + timeoutMs;
  let final: Record<string, any> | undefined;
  let at = 0;
  for (let round = 0; final === undefined && Date.now() < deadline; round++) {
    await Promise.all(
      pollers.map(async (instance) => {
        const got = await rpc(instance, "tasks/get", { taskId });
        const seen = Date.now();
        if (got.error !== undefined) {
          observations.push({ instance: instance.name, round, at: seen, error: JSON.stringify(got.error) });
          return;
        }
        observations.push({ instance: instance.name, round, at: seen, status: got.result.status });
        if (["completed", "failed", "cancelled"].includes(got.result.status) && final === undefined) {
          final = got.result;
          at = seen;
        }
      }),
    );
    await sleep(POLL_EVERY_MS);
  }
  return { final, at, from, observations };
}

/** What a scenario observed, for the checks. */
interface Outcome {
  label: string;
  taskId: string;
  /** The killed process. */
  killed: { name: string; pid: number };
  killedAt: number;
  /** The checkpoint (steps) in the record as the killed run left it (0: none), read after the kill. */
  checkpointBeforeKill: number;
  /** `lease.until` in the record as the killed run left it (read after the kill; in C before it). */
  leaseUntilBeforeKill: number;
  /** Processes that may take the task up (name and pid of every live survivor). */
  survivors: { name: string; pid: number }[];
  /** Time to start the killed instance again (A, B), before the race. */
  restartMs?: number;
  /** When the survivors started polling. */
  racingFrom: number;
  final: Record<string, any> | undefined;
  doneAt: number;
  observations: Observation[];
  ledger: StepEntry[];
  record: StoredTask | undefined;
}

/** What a case observed, from the task's state before the kill and the survivors' race. */
async function outcomeOf(o: {
  label: string;
  taskId: string;
  key: string;
  killed: { name: string; pid: number };
  killedAt: number;
  before: StoredTask | undefined;
  survivors: Instance[];
  restartMs?: number;
  raced: Awaited<ReturnType<typeof race>>;
}): Promise<Outcome> {
  const reader = o.survivors[0] as Instance;
  const outcome: Outcome = {
    label: o.label,
    taskId: o.taskId,
    killed: o.killed,
    killedAt: o.killedAt,
    checkpointBeforeKill: o.before?.checkpoint?.n ?? 0,
    leaseUntilBeforeKill: o.before?.lease?.until ?? 0,
    survivors: o.survivors.map((s) => ({ name: s.name, pid: s.pid as number })),
    racingFrom: o.raced.from,
    final: o.raced.final,
    doneAt: o.raced.at,
    observations: o.raced.observations,
    ledger: await ledgerOf(reader, o.key),
    record: await storedTask(reader, o.taskId),
  };
  if (o.restartMs !== undefined) outcome.restartMs = o.restartMs;
  return outcome;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The checks every scenario shares. `kill`: "mid-run" (A) — the killed run had saved at least 3
 * checkpoints, so the final log starts with its steps; "before-run" (C) — it never ran, every step
 * is the survivor's; "just-created" (B) — killed as soon as it was created, which on a loaded
 * machine may come after its first step (150 ms): resumed from whatever checkpoint the store held at
 * the kill (read back after it), else every step the survivor's, the killed run having executed at
 * most the one step it had no time to save.
 */
function check(o: Outcome, kill: "mid-run" | "just-created" | "before-run"): void {
  const resumed = kill === "mid-run" || (kill === "just-created" && o.checkpointBeforeKill > 0);
  const where = `${o.label}\nobservations: ${JSON.stringify(o.observations.slice(-12))}\nledger: ${JSON.stringify(o.ledger)}\nrecord: ${JSON.stringify(o.record)}`;
  // Never stuck working, never lost, never failed: completed within the bound.
  expect(o.final, `no terminal status within ${DONE_WITHIN_MS} ms of the kill\n${where}`).toBeDefined();
  expect(o.final?.status, where).toBe("completed");
  expect(
    o.doneAt - o.killedAt,
    `completed ${o.doneAt - o.killedAt} ms after the kill\n${where}`,
  ).toBeLessThanOrEqual(DONE_WITHIN_MS);
  const errors = o.observations.filter((x) => x.error !== undefined);
  expect(errors, `tasks/get answered errors\n${where}`).toEqual([]);
  const statuses = new Set(o.observations.map((x) => x.status));
  expect(
    [...statuses].filter((s) => s !== "working" && s !== "completed"),
    where,
  ).toEqual([]);

  expect(o.record?.status, where).toBe("completed");
  expect(o.record?.lease, where).toBeUndefined();

  const answered = o.final?.result?.structuredContent as { log: string[]; runs: RunEntry[] } | undefined;
  expect(answered, `structuredContent of the result\n${where}`).toBeDefined();
  const { log, runs } = answered ?? { log: [], runs: [] };
  expect(JSON.parse(o.final?.result?.content?.[0]?.text ?? "null"), where).toEqual({ log, runs });
  // Every step once, in order.
  expect(
    log.map((entry) => Number(entry.split(":")[1])),
    `final log ${JSON.stringify(log)}`,
  ).toEqual(range(1, STEPS));

  const taker = runs[runs.length - 1] as RunEntry;
  expect(
    o.survivors.map((s) => s.pid),
    `the run that finished is a survivor's\n${where}`,
  ).toContain(taker.pid);
  expect(o.survivors.find((s) => s.pid === taker.pid)?.name, where).toBe(taker.instance);
  const k = taker.from;
  if (resumed) {
    // The killed run, then the take-up from the checkpoint it had saved (at least the one seen).
    expect(runs, where).toHaveLength(2);
    expect(runs[0], where).toMatchObject({ instance: o.killed.name, pid: o.killed.pid, from: 0 });
    // Exactly from the last checkpoint the killed run saved (read from the store after the kill).
    expect(k, `resumed from checkpoint ${k}, the killed run had saved ${o.checkpointBeforeKill}`).toBe(
      o.checkpointBeforeKill,
    );
    expect(k, where).toBeGreaterThanOrEqual(kill === "mid-run" ? 3 : 1);
    expect(k, where).toBeLessThan(STEPS);
  } else {
    expect(runs, where).toHaveLength(1);
    expect(k, where).toBe(0);
  }
  expect(log.slice(0, k), `steps 1..${k} by ${o.killed.name}`).toEqual(
    range(1, k).map((n) => `${o.killed.name}:${n}`),
  );
  expect(log.slice(k), `steps ${k + 1}..${STEPS} by ${taker.instance}`).toEqual(
    range(k + 1, STEPS).map((n) => `${taker.instance}:${n}`),
  );

  // The ledger: every run that started (its handler ran) and every step it executed, saved or not.
  const starts = o.ledger.filter((e) => e.kind === "start");
  const executed = o.ledger.filter((e) => e.kind === "step");
  const byRun = new Map<string, StepEntry[]>();
  for (const entry of executed) byRun.set(entry.run, [...(byRun.get(entry.run) ?? []), entry]);
  const killedSteps = executed.filter((e) => e.pid === o.killed.pid);
  const takerSteps = byRun.get(taker.run) ?? [];
  // Exactly one take-up although both survivors polled in lock-step: one run started besides the
  // killed one's (in A it started and saved; in B it may have started before the kill; in C never).
  const killedStarts = starts.filter((e) => e.pid === o.killed.pid);
  expect(
    starts.filter((e) => e.pid !== o.killed.pid).map((e) => [e.instance, e.pid, e.run, e.step]),
    `runs started on the survivors\n${where}`,
  ).toEqual([[taker.instance, taker.pid, taker.run, k]]);
  expect(killedStarts.length, `runs started on the killed instance\n${where}`).toBeLessThanOrEqual(1);
  if (resumed)
    expect(
      killedStarts.map((e) => e.step),
      where,
    ).toEqual([0]);
  expect(
    [...byRun.keys()].filter((run) => run !== taker.run && byRun.get(run)?.[0]?.pid !== o.killed.pid),
    `runs other than the killed one and the take-up\n${where}`,
  ).toEqual([]);
  expect(
    takerSteps.every((e) => e.pid === taker.pid && e.instance === taker.instance),
    where,
  ).toBe(true);
  expect(
    takerSteps.map((e) => e.step),
    where,
  ).toEqual(range(k + 1, STEPS));
  // A step whose checkpoint was saved is never executed again: the killed run executed 1..k and at
  // most the one step after it (done, but killed before its checkpoint was saved).
  const killedNumbers = killedSteps.map((e) => e.step);
  expect(
    [range(1, k), range(1, k + 1)],
    `steps the killed run executed: ${JSON.stringify(killedNumbers)}`,
  ).toContainEqual(killedNumbers);
  if (kill === "before-run") expect(killedNumbers, where).toEqual([]);
  // Each run's steps one after another, and no two runs at once.
  for (const steps of byRun.values()) {
    for (let i = 1; i < steps.length; i++) {
      expect((steps[i] as StepEntry).started, where).toBeGreaterThanOrEqual(
        (steps[i - 1] as StepEntry).ended,
      );
    }
  }
  const firstTaken = (starts.find((e) => e.run === taker.run) as StepEntry).started;
  if (killedSteps.length > 0) {
    const lastKilled = Math.max(...killedSteps.map((e) => e.ended));
    expect(
      firstTaken,
      `the take-up started before the killed run's last step ended\n${where}`,
    ).toBeGreaterThan(lastKilled);
  }
  // The lease held: taken up only once the lease seen before the kill had run out, and soon after.
  expect(firstTaken, `taken up before the lease ran out\n${where}`).toBeGreaterThanOrEqual(
    o.leaseUntilBeforeKill,
  );
  const due = Math.max(o.leaseUntilBeforeKill, o.racingFrom);
  expect(firstTaken - due, `taken up ${firstTaken - due} ms after it was due\n${where}`).toBeLessThanOrEqual(
    TAKEN_UP_WITHIN_MS,
  );
  console.log(
    `${o.label}: killed ${o.killed.name} (pid ${o.killed.pid}) with checkpoint ${o.checkpointBeforeKill}; ` +
      `taken up by ${taker.instance} (pid ${taker.pid}) from step ${k} ${firstTaken - o.killedAt} ms after the kill ` +
      `(lease ran out ${o.leaseUntilBeforeKill - o.killedAt} ms after it); completed ${o.doneAt - o.killedAt} ms after it; ` +
      `the killed instance started ${killedStarts.length} run(s) and executed ${killedSteps.length} step(s); ` +
      `record.runs ${o.record?.runs}; ` +
      `${o.restartMs === undefined ? "" : `restart took ${o.restartMs} ms; `}` +
      `${new Set(o.observations.map((x) => x.round)).size} poll rounds of ${new Set(o.observations.map((x) => x.instance)).size} instances`,
  );
}

for (const kind of STORES) {
  describe(`tasks over ${kind}: a task survives its instance`, () => {
    let store: StoreController | undefined;
    let i1: Instance;
    let i2: Instance;
    let i3: Instance | undefined;
    let env: Record<string, string>;

    beforeAll(async () => {
      store = await startStore(kind);
      env = { ...store.env, FAULTS_TASK_LEASE_MS: String(LEASE_MS) };
      [i1, i2] = (await startInstances(2, env, "i")) as [Instance, Instance];
    }, 60_000);

    afterAll(async () => {
      await Promise.all([i1?.stop(), i2?.stop(), i3?.stop()]);
      await store?.stop();
    }, 30_000);

    it("(A) killed mid-run: resumed from its checkpoint elsewhere, never run twice at once", async () => {
      const key = `a-${kind}-${Date.now()}`;
      const taskId = await createTask(i1, key);
      // Progress: working (seen from instance 2) with at least 3 checkpoints saved.
      let seen: StoredTask | undefined;
      const until = Date.now() + 10_000;
      for (;;) {
        const got = await rpc(i2, "tasks/get", { taskId });
        expect(got.result?.status, JSON.stringify(got)).toBe("working");
        seen = await storedTask(i2, taskId);
        if ((seen?.checkpoint?.n ?? 0) >= 3) break;
        if (Date.now() > until) throw new Error(`no 3 checkpoints within 10 s: ${JSON.stringify(seen)}`);
        await sleep(POLL_EVERY_MS);
      }
      const killed = { name: i1.name, pid: i1.pid as number };
      const killedAt = await kill(i1);
      // As the killed run left it: its last checkpoint and lease (no take-up before the lease ends).
      const left = await storedTask(i2, taskId);
      expect(left?.checkpoint?.n, JSON.stringify(left)).toBeGreaterThanOrEqual(seen?.checkpoint?.n ?? 0);
      // Instance 1 back on its port, then both poll in lock-step: both race to take the task up.
      const restarting = Date.now();
      await i1.restart();
      const restartMs = Date.now() - restarting;
      const raced = await race(taskId, [i2, i1], DONE_WITHIN_MS);
      const outcome = await outcomeOf({
        label: `[${kind}] (A) killed mid-run`,
        taskId,
        key,
        killed,
        killedAt,
        before: left,
        survivors: [i2, i1],
        restartMs,
        raced,
      });
      check(outcome, "mid-run");
    }, 40_000);

    it("(B) killed right after its CreateTaskResult: run elsewhere, from its checkpoint if it had saved one", async () => {
      const key = `b-${kind}-${Date.now()}`;
      const killed = { name: i2.name, pid: i2.pid as number };
      const taskId = await createTask(i2, key);
      const killedAt = await kill(i2);
      const seen = await storedTask(i1, taskId);
      expect(seen?.status).toBe("working");
      const restarting = Date.now();
      await i2.restart();
      const restartMs = Date.now() - restarting;
      const raced = await race(taskId, [i1, i2], DONE_WITHIN_MS);
      const outcome = await outcomeOf({
        label: `[${kind}] (B) killed right after creating`,
        taskId,
        key,
        killed,
        killedAt,
        before: seen,
        survivors: [i1, i2],
        restartMs,
        raced,
      });
      check(outcome, "just-created");
    }, 40_000);

    it("(C) killed before its run started: run elsewhere", async () => {
      // An instance whose runs start 60 s after their dispatch: it is killed long before.
      const late = await Instance.start("i-3", { ...env, FAULTS_TASK_DISPATCH_DELAY_MS: "60000" });
      i3 = late;
      const key = `c-${kind}-${Date.now()}`;
      const killed = { name: late.name, pid: late.pid as number };
      const taskId = await createTask(late, key);
      const seen = await storedTask(i1, taskId);
      expect(seen, "the task is stored before its CreateTaskResult").toMatchObject({
        status: "working",
        runs: 1,
      });
      expect(seen?.checkpoint).toBeUndefined();
      const killedAt = await kill(late);
      const raced = await race(taskId, [i1, i2], DONE_WITHIN_MS);
      const outcome = await outcomeOf({
        label: `[${kind}] (C) killed before its run started`,
        taskId,
        key,
        killed,
        killedAt,
        before: seen,
        survivors: [i1, i2],
        raced,
      });
      check(outcome, "before-run");
    }, 40_000);
  });
}
