/**
 * What one caller can make tasks hold: a 2025-11-25 TTL has a floor (`minTtlMs`) and a run never
 * outlives its task record (it stops when the record is gone or its TTL ends); an anonymous
 * 2025-11-25 caller's tasks count by its address across sessions, and the tasks of a session that
 * ended stop and go; and the heartbeat rewrites only the task's small state, never its arguments
 * or answers (held in a record of their own), while records of the earlier layout still work.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  enableTasks,
  type McpHandler,
  McpServer,
  memoryStores,
  type Stores,
  type TasksOptions,
} from "../src/index.ts";
import { legacySession, modern, URL_ } from "./_client.ts";

const EXT = "io.modelcontextprotocol/tasks";
const WITH_TASKS = { capabilities: { elicitation: {}, extensions: { [EXT]: {} } } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const taskKey = (id: string) => ({ kind: "task", id });
const inputKey = (id: string) => ({ kind: "task-input", id });

/** Waits (bounded) for `until` to hold; fails with `what` otherwise. */
async function waitFor(until: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await until()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs of the `hold` tool: started, running now, aborted (its `ctx.signal` fired). */
interface Probe {
  started: number;
  running: number;
  peak: number;
  aborted: number;
  release: () => void;
  args: Record<string, unknown>[];
}

const open: Probe[] = [];
afterEach(() => {
  for (const probe of open.splice(0)) probe.release();
});

function newProbe(): { probe: Probe; gate: Promise<void> } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const probe: Probe = { started: 0, running: 0, peak: 0, aborted: 0, release, args: [] };
  open.push(probe);
  return { probe, gate };
}

/** A server whose `hold` tool runs until released or aborted, and `asks` asks one question. */
function server(options: TasksOptions = {}) {
  const { probe, gate } = newProbe();
  const s = new McpServer({ name: "tasks-bounds", version: "1.0.0" });
  enableTasks(s, { pollIntervalMs: 20, ...options });
  addTool(s, "hold", { taskSupport: "optional" }, async (args, ctx) => {
    probe.started++;
    probe.running++;
    probe.peak = Math.max(probe.peak, probe.running);
    probe.args.push(args as Record<string, unknown>);
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          probe.aborted++;
          reject(ctx.signal.reason);
        };
        if (ctx.signal.aborted) onAbort();
        else ctx.signal.addEventListener("abort", onAbort, { once: true });
        void gate.then(resolve);
      });
    } finally {
      probe.running--;
    }
    const blob = (args as { blob?: string }).blob;
    return `held ${blob?.length ?? 0}`;
  });
  addTool(s, "asks", { taskSupport: "optional" }, async (_args, ctx) => {
    const answers = await ctx.inputs({
      q: { method: "elicitation/create", params: { message: "Q?", requestedSchema: { type: "object" } } },
    });
    const content = (answers.q as { content?: { text?: string } }).content;
    return `answer ${content?.text?.length ?? 0}`;
  });
  addTool(s, "echo", { taskSupport: "optional" }, async (args, ctx) => {
    const answers = await ctx.inputs({
      q: { method: "elicitation/create", params: { message: "Q?", requestedSchema: { type: "object" } } },
    });
    return `echo ${JSON.stringify(args)} ${(answers.q as { action?: string }).action}`;
  });
  return { server: s, probe };
}

/** `handler` as a client at `address` sees it (the platform's `ctx.clientAddress`). */
function from(handler: McpHandler, address?: string): McpHandler {
  return {
    ...handler,
    fetch: (request: Request) =>
      handler.fetch(request, undefined, address === undefined ? {} : { clientAddress: address }),
  } as McpHandler;
}

async function deleteSession(handler: McpHandler, sessionId: string): Promise<number> {
  const response = await handler.fetch(
    new Request(URL_, {
      method: "DELETE",
      headers: { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" },
    }),
  );
  return response.status;
}

/** Counts what the session store reads and writes of task records, by kind. */
function counting(stores: Stores) {
  const seen = { updates: 0, updateBytes: [] as number[], inputReads: 0, stateReadBytes: [] as number[] };
  const sessions = stores.sessions;
  const get = sessions.get.bind(sessions);
  const update = sessions.update.bind(sessions);
  sessions.get = async (key) => {
    const got = await get(key);
    if (got !== undefined && key.kind === "task") seen.stateReadBytes.push(JSON.stringify(got.value).length);
    if (got !== undefined && key.kind === "task-input") seen.inputReads++;
    return got;
  };
  sessions.update = async (key, version, value, ttl) => {
    if (key.kind === "task") {
      seen.updates++;
      seen.updateBytes.push(JSON.stringify(value).length);
    }
    return update(key, version, value, ttl);
  };
  return seen;
}

describe("task TTL: a floor, and no run outlives its task (defect K)", () => {
  it("raises a tiny requested TTL to minTtlMs (and says so), so a caller cannot turn its slots over", async () => {
    const { server: s, probe } = server({ maxTasksPerCaller: 2 });
    const handler = createHandler(s);
    const session = await legacySession(handler);
    const created: Record<string, any>[] = [];
    const refused: Record<string, any>[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await session.call("tools/call", { name: "hold", arguments: {}, task: { ttl: 50 } });
      if (answer.final.result?.task) created.push(answer.final.result.task);
      else refused.push(answer.final.error);
      // Past the TTL asked for: with no floor, the slot would be free again.
      await sleep(70);
    }
    expect(created).toHaveLength(2);
    expect(refused).toHaveLength(4);
    for (const error of refused) expect(error).toMatchObject({ code: -32600, data: { limit: 2 } });
    // The TTL the server uses, reported in the CreateTaskResult and by tasks/get.
    for (const task of created) {
      expect(task.ttl).toBe(60_000);
      const got = await session.call("tasks/get", { taskId: task.taskId });
      expect(got.final.result).toMatchObject({ taskId: task.taskId, status: "working", ttl: 60_000 });
    }
    expect(probe.peak).toBeLessThanOrEqual(2);
    // A TTL within bounds is kept as asked; one above maxTtlMs is lowered to it.
    const { server: s2 } = server({ minTtlMs: 1_000, maxTtlMs: 120_000 });
    const other = await legacySession(createHandler(s2));
    for (const [asked, used] of [
      [5_000, 5_000],
      [999, 1_000],
      [10_000_000, 120_000],
    ]) {
      const answer = await other.call("tools/call", { name: "hold", arguments: {}, task: { ttl: asked } });
      expect(answer.final.result.task.ttl, `ttl ${asked}`).toBe(used);
    }
  });

  it("checks minTtlMs against the other TTL options", () => {
    for (const bad of [
      { minTtlMs: 0 },
      { minTtlMs: 1.5 },
      { minTtlMs: 7_200_000 },
      { ttlMs: 10_000, maxTtlMs: 20_000, minTtlMs: 30_000 },
    ]) {
      expect(() => enableTasks(new McpServer({ name: "t", version: "1" }), bad), JSON.stringify(bad)).toThrow(
        /minTtlMs/,
      );
    }
    // A short default TTL lowers the default floor with it.
    expect(() => enableTasks(new McpServer({ name: "t", version: "1" }), { ttlMs: 5_000 })).not.toThrow();
  });

  it("refuses a lease no timer can wait (its renewal would fire at once), keeps TTLs beyond it", () => {
    expect(() => enableTasks(new McpServer({ name: "t", version: "1" }), { leaseMs: 3e9 })).toThrow(
      "enableTasks: leaseMs must be at most 2147483647 ms (about 24.8 days), got 3000000000",
    );
    // A TTL is compared with the clock, and a run's TTL timer is left unarmed past a timer's range.
    expect(() =>
      enableTasks(new McpServer({ name: "t", version: "1" }), { ttlMs: 3e9, maxTtlMs: 4e9 }),
    ).not.toThrow();
  });

  it("stops a run whose task record is gone (the heartbeat finds nothing to renew)", async () => {
    const stores = memoryStores();
    const { server: s, probe } = server({ leaseMs: 300 });
    const handler = createHandler(s, { stores });
    const session = await legacySession(handler);
    const created = await session.call("tools/call", { name: "hold", arguments: {}, task: {} });
    const { taskId } = created.final.result.task;
    await waitFor(() => probe.started === 1, "the run to start");
    await stores.sessions.delete(taskKey(taskId));
    await waitFor(() => probe.aborted === 1, "the run's signal to fire");
    expect(probe.running).toBe(0);
    // It wrote nothing back.
    expect(await stores.sessions.get(taskKey(taskId))).toBeUndefined();
  });

  it("stops a run when its task's TTL ends, between heartbeats too; the slot is then free", async () => {
    const stores = memoryStores();
    // Heartbeats every 20 s: the TTL (200 ms) ends long before the first.
    const { server: s, probe } = server({ leaseMs: 60_000, minTtlMs: 200, maxTasksPerCaller: 1 });
    const handler = createHandler(s, { stores });
    const session = await legacySession(handler);
    const first = await session.call("tools/call", { name: "hold", arguments: {}, task: { ttl: 200 } });
    expect(first.final.result.task.ttl).toBe(200);
    await waitFor(() => probe.started === 1, "the run to start");
    await waitFor(() => probe.aborted === 1, "the run to stop at the end of its TTL");
    expect(probe.running).toBe(0);
    const gone = await session.call("tasks/get", { taskId: first.final.result.task.taskId });
    expect(gone.final.error.code).toBe(-32602);
    const second = await session.call("tools/call", { name: "hold", arguments: {}, task: { ttl: 200 } });
    expect(second.final.result.task.status).toBe("working");
  });
});

describe("anonymous 2026-07-28 callers' tasks", () => {
  it("count by address: one caller filling its allowance leaves other addresses theirs", async () => {
    const { server: s, probe } = server({ maxTasksPerCaller: 2 });
    const handler = createHandler(s);
    const call = (address: string) =>
      modern(from(handler, address), "tools/call", { name: "hold", arguments: {} }, WITH_TASKS);
    const mine = [];
    for (let i = 0; i < 4; i++) mine.push((await call("203.0.113.30")).final);
    expect(mine.filter((f) => f.result?.resultType === "task")).toHaveLength(2);
    for (const f of mine.filter((f) => f.error !== undefined))
      expect(f.error).toMatchObject({ code: -32600, data: { limit: 2 } });
    // Before, every anonymous 2026-07-28 caller shared one allowance: these were refused too.
    expect((await call("198.51.100.30")).final.result.resultType).toBe("task");
    // One /64 is one caller, as for sessions.
    expect((await call("2001:db8:7:7::1")).final.result.resultType).toBe("task");
    expect((await call("2001:db8:7:7::2")).final.result.resultType).toBe("task");
    expect((await call("2001:db8:7:7::3")).final.error).toMatchObject({ code: -32600 });
    expect(probe.peak).toBeLessThanOrEqual(6);
  });

  it("share one allowance when the platform gives no address", async () => {
    const { server: s } = server({ maxTasksPerCaller: 2 });
    const handler = createHandler(s);
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push((await modern(handler, "tools/call", { name: "hold", arguments: {} }, WITH_TASKS)).final);
    expect(answers.filter((f) => f.result?.resultType === "task")).toHaveLength(2);
    expect(answers[2]?.error).toMatchObject({ code: -32600, data: { limit: 2 } });
  });
});

describe("an anonymous 2025-11-25 caller's tasks across sessions (defect L)", () => {
  it("counts them by address, so new sessions (and DELETE) bring no new allowance", async () => {
    const { server: s, probe } = server({ maxTasksPerCaller: 3 });
    const handler = createHandler(s);
    const client = from(handler, "203.0.113.7");
    let accepted = 0;
    const errors: Record<string, any>[] = [];
    for (let round = 0; round < 4; round++) {
      const session = await legacySession(client);
      for (let i = 0; i < 2; i++) {
        const answer = await session.call("tools/call", { name: "hold", arguments: {}, task: {} });
        if (answer.final.result?.task) accepted++;
        else errors.push(answer.final.error);
      }
      expect(await deleteSession(client, session.sessionId)).toBeLessThan(300);
    }
    expect(accepted).toBe(3);
    expect(errors).toHaveLength(5);
    for (const error of errors) expect(error).toMatchObject({ code: -32600, data: { limit: 3 } });
    expect(probe.peak).toBeLessThanOrEqual(3);
    // Another address has its own allowance.
    const elsewhere = await legacySession(from(handler, "198.51.100.20"));
    const theirs = await elsewhere.call("tools/call", { name: "hold", arguments: {}, task: {} });
    expect(theirs.final.result.task.status).toBe("working");
  });

  it("keeps each task visible to its own session only, while sessions share the address's allowance", async () => {
    const { server: s } = server({ maxTasksPerCaller: 2 });
    const client = from(createHandler(s), "203.0.113.8");
    const a = await legacySession(client);
    const b = await legacySession(client);
    const mine = (await a.call("tools/call", { name: "hold", arguments: {}, task: {} })).final.result.task;
    const theirs = (await b.call("tools/call", { name: "hold", arguments: {}, task: {} })).final.result.task;
    const third = await b.call("tools/call", { name: "hold", arguments: {}, task: {} });
    expect(third.final.error).toMatchObject({ code: -32600, data: { limit: 2 } });
    expect((await a.call("tasks/list")).final.result.tasks.map((t: any) => t.taskId)).toEqual([mine.taskId]);
    expect((await b.call("tasks/list")).final.result.tasks.map((t: any) => t.taskId)).toEqual([
      theirs.taskId,
    ]);
    expect((await b.call("tasks/get", { taskId: mine.taskId })).final.error.code).toBe(-32602);
    expect((await b.call("tasks/cancel", { taskId: mine.taskId })).final.error.code).toBe(-32602);
    expect((await a.call("tasks/get", { taskId: mine.taskId })).final.result.status).toBe("working");
  });

  it("counts per session when the caller's address is unknown", async () => {
    const { server: s } = server({ maxTasksPerCaller: 1 });
    const handler = createHandler(s);
    for (let round = 0; round < 2; round++) {
      const session = await legacySession(handler);
      const first = await session.call("tools/call", { name: "hold", arguments: {}, task: {} });
      expect(first.final.result.task.status).toBe("working");
      const second = await session.call("tools/call", { name: "hold", arguments: {}, task: {} });
      expect(second.final.error.code).toBe(-32600);
    }
  });

  it("stops and removes the tasks of a session that was DELETEd (nobody can reach them any more)", async () => {
    const stores = memoryStores();
    const { server: s, probe } = server({ leaseMs: 300 });
    const client = from(createHandler(s, { stores }), "203.0.113.9");
    const session = await legacySession(client);
    const created = await session.call("tools/call", { name: "hold", arguments: {}, task: {} });
    const { taskId } = created.final.result.task;
    await waitFor(() => probe.started === 1, "the run to start");
    expect(await deleteSession(client, session.sessionId)).toBeLessThan(300);
    await waitFor(() => probe.aborted === 1, "the run's signal to fire");
    expect(probe.running).toBe(0);
    expect(await stores.sessions.get(taskKey(taskId))).toBeUndefined();
    expect(await stores.sessions.get(inputKey(taskId))).toBeUndefined();
  });

  it("leaves an authenticated caller's task running after its session is DELETEd: it is the caller's", async () => {
    const stores = memoryStores();
    const seen = counting(stores);
    const { server: s, probe } = server({ leaseMs: 300 });
    const handler = createHandler(s, { stores, authenticate: () => ({ subject: "alice" }) });
    const first = await legacySession(handler);
    const created = await first.call("tools/call", { name: "hold", arguments: {}, task: {} });
    const { taskId } = created.final.result.task;
    await waitFor(() => probe.started === 1, "the run to start");
    expect(await deleteSession(handler, first.sessionId)).toBeLessThan(300);
    const renewals = seen.updates;
    await waitFor(() => seen.updates >= renewals + 3, "three lease renewals after the DELETE");
    expect(probe.aborted).toBe(0);
    const second = await legacySession(handler);
    expect((await second.call("tasks/get", { taskId })).final.result.status).toBe("working");
    probe.release();
    const result = await second.call("tasks/result", { taskId });
    expect(result.final.result.content[0].text).toBe("held 0");
  });
});

describe("the heartbeat rewrites only the task's state (defect M)", () => {
  it("renews the lease without reading or writing the arguments; the run still gets them whole", async () => {
    const stores = memoryStores();
    const seen = counting(stores);
    const { server: s, probe } = server({ leaseMs: 300 });
    const handler = createHandler(s, { stores });
    const blob = "x".repeat(200_000);
    const created = await modern(handler, "tools/call", { name: "hold", arguments: { blob } }, WITH_TASKS);
    const { taskId } = created.final.result;
    await waitFor(() => probe.started === 1, "the run to start");
    const before = seen.updates;
    await waitFor(() => seen.updates >= before + 4, "four lease renewals");
    expect(Math.max(...seen.updateBytes)).toBeLessThan(5_000);
    expect(Math.max(...seen.stateReadBytes)).toBeLessThan(5_000);
    // The run read its input once, when it started.
    expect(seen.inputReads).toBe(1);
    expect(probe.args[0]?.blob).toBe(blob);
    probe.release();
    for (let i = 0; i < 100; i++) {
      const got = await modern(
        handler,
        "tasks/get",
        { taskId },
        { headers: { "mcp-name": taskId }, ...WITH_TASKS },
      );
      if (got.final.result.status === "completed") {
        expect(got.final.result.result.content[0].text).toBe("held 200000");
        return;
      }
      await sleep(20);
    }
    throw new Error("the task never completed");
  });

  it("keeps answers given with tasks/update out of the task's state; the next run gets them", async () => {
    const stores = memoryStores();
    const handler = createHandler(server({ leaseMs: 300 }).server, { stores });
    const headers = (taskId: string) => ({ headers: { "mcp-name": taskId }, ...WITH_TASKS });
    const created = await modern(handler, "tools/call", { name: "asks", arguments: {} }, WITH_TASKS);
    const { taskId } = created.final.result;
    let task: Record<string, any> = {};
    await waitFor(async () => {
      task = (await modern(handler, "tasks/get", { taskId }, headers(taskId))).final.result;
      return task.status === "input_required";
    }, "the task to ask");
    const text = "y".repeat(100_000);
    const update = await modern(
      handler,
      "tasks/update",
      { taskId, inputResponses: { q: { action: "accept", content: { text } } } },
      headers(taskId),
    );
    expect(update.final.error).toBeUndefined();
    await waitFor(async () => {
      task = (await modern(handler, "tasks/get", { taskId }, headers(taskId))).final.result;
      return task.status === "completed";
    }, "the task to end");
    expect(task.result.content[0].text).toBe("answer 100000");
    const state = await stores.sessions.get(taskKey(taskId));
    expect(JSON.stringify(state?.value).length).toBeLessThan(5_000);
  });

  it("still runs records of the earlier layout (input inline), and takes answers into them", async () => {
    const stores = memoryStores();
    const handler = createHandler(server({ leaseMs: 300 }).server, { stores });
    const headers = (taskId: string) => ({ headers: { "mcp-name": taskId }, ...WITH_TASKS });
    const now = Date.now();
    // As the previous version wrote it: one record, arguments and answers inline, its run lost.
    const old = {
      id: "old-layout-task-0000000000",
      status: "working",
      created: now,
      updated: now,
      ttlMs: 60_000,
      pollMs: 20,
      owner: null,
      era: "modern",
      protocolVersion: "2026-07-28",
      tool: "echo",
      args: { word: "kept" },
      clientCapabilities: WITH_TASKS.capabilities,
      answers: {},
      runs: 1,
      lease: { by: "a-run-that-died", until: now - 1 },
    };
    expect(await stores.sessions.create(taskKey(old.id), old, 60_000)).toBe(true);
    let task: Record<string, any> = {};
    await waitFor(async () => {
      task = (await modern(handler, "tasks/get", { taskId: old.id }, headers(old.id))).final.result;
      return task.status === "input_required";
    }, "the old task to be taken up and ask");
    await modern(
      handler,
      "tasks/update",
      { taskId: old.id, inputResponses: { q: { action: "accept", content: {} } } },
      headers(old.id),
    );
    await waitFor(async () => {
      task = (await modern(handler, "tasks/get", { taskId: old.id }, headers(old.id))).final.result;
      return task.status === "completed";
    }, "the old task to end");
    expect(task.result.content[0].text).toBe('echo {"word":"kept"} accept');
    const stored = (await stores.sessions.get(taskKey(old.id)))?.value as Record<string, any>;
    expect(stored.answers).toEqual({ q: { action: "accept", content: {} } });
    expect(stored).not.toHaveProperty("input");
  });
});

describe("one caller's burst of tasks", () => {
  it("thirty created at once over two instances all get their task (no 'too busy' under the limit)", async () => {
    const { server: s, probe } = server();
    const stores = memoryStores();
    const a = createHandler(s, { stores: { ...stores } });
    const b = createHandler(s, { stores: { ...stores } });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        modern(i % 2 ? a : b, "tools/call", { name: "hold", arguments: { i } }, WITH_TASKS),
      ),
    );
    const errors = answers.map((x) => x.final.error).filter((e) => e !== undefined);
    expect(errors).toStrictEqual([]);
    expect(new Set(answers.map((x) => x.final.result?.taskId)).size).toBe(30);
    probe.release();
  });

  it("at the limit, retryAfterMs is when the soonest task expires, not the oldest", async () => {
    const { server: s } = server({ maxTasksPerCaller: 2, minTtlMs: 1_000 });
    const session = await legacySession(createHandler(s));
    await session.call("tools/call", { name: "hold", arguments: {}, task: { ttl: 60_000 } });
    await session.call("tools/call", { name: "hold", arguments: {}, task: { ttl: 2_000 } });
    const refused = await session.call("tools/call", { name: "hold", arguments: {}, task: { ttl: 60_000 } });
    expect(refused.final.error).toMatchObject({ code: -32600, data: { limit: 2 } });
    expect(refused.final.error.data.retryAfterMs).toBeLessThanOrEqual(2_000);
  });
});
