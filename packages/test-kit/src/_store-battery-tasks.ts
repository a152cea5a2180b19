/**
 * The store battery's tasks part (2026-07-28 extension `io.modelcontextprotocol/tasks`): a task
 * lives in the session store, not in the instance that made it. Two handlers over the same stores
 * (two instances, each with its own server built by the same function) share every task: one
 * creates it and the other answers for it at once; a cancel through one stops the run on the other
 * and holds, however many cancels race on both; questions asked inside a task are answered in parts
 * through either; and a task whose run was lost is taken up by a poll once its lease ran out.
 * Each pair of instances authenticates every caller as a principal of its own, so the caller's task
 * index (a server-wide record) is shared with no other test or run; task ids are random.
 */
import {
  addTool,
  createHandler,
  enableTasks,
  type McpHandler,
  McpServer,
  type Stores,
  type TaskJob,
  type TasksOptions,
} from "@portico/core";
import { expect, it } from "vitest";
import { unique, WAIT_MS, waitUntil } from "./_store-battery-kit.ts";
import { modernPost, readJsonRpc } from "./requests.ts";

const URL_ = "http://127.0.0.1/mcp";
const EXTENSION = "io.modelcontextprotocol/tasks";
/** Client capabilities declaring the tasks extension; `ASKING` also takes elicitations. */
const TASKS = { extensions: { [EXTENSION]: {} } };
const ASKING = { ...TASKS, elicitation: {} };
const TTL_MS = 60_000;
const LEASE_MS = 300;
/** How long a `subscriptions/listen` stream stays open: ample time to hear a second settle, if any. */
const LISTEN_MS = 2_500;

/** A JSON-RPC result, loosely typed for assertions. */
type Wire = Record<string, any>;

/** What the tools of one pair of instances saw: every run's start, every fired `ctx.signal`. */
interface Probe {
  starts: { instance: string; at: number }[];
  aborted: string[];
  /** Lets runs of the `work` tool finish (they do by themselves after `WAIT_MS`). */
  release: () => void;
  gate: Promise<void>;
}

function newProbe(): Probe {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, WAIT_MS);
    (timer as { unref?: () => void }).unref?.();
    release = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { starts: [], aborted: [], release, gate };
}

const question = (message: string) => ({
  method: "elicitation/create" as const,
  params: {
    message,
    requestedSchema: { type: "object" as const, properties: { word: { type: "string" as const } } },
  },
});
const answer = (word: string) => ({ action: "accept", content: { word } });
const wordOf = (reply: unknown) => (reply as { content?: { word?: string } }).content?.word;

type Names = Record<"work" | "endless" | "asks", string>;

/** One instance's server: the same tools on every instance, each telling which instance ran it. */
function tasksServer(instance: string, names: Names, options: TasksOptions, probe: Probe): McpServer {
  const server = new McpServer({ name: "tasks-battery", version: "1.0.0" });
  enableTasks(server, { ttlMs: TTL_MS, pollIntervalMs: 50, ...options });
  const started = () => void probe.starts.push({ instance, at: Date.now() });
  addTool(server, names.work, { taskSupport: "required" }, async () => {
    started();
    await probe.gate;
    return { content: [{ type: "text", text: `done on ${instance}` }], structuredContent: { instance } };
  });
  addTool(server, names.endless, { taskSupport: "required" }, (_args, ctx) => {
    started();
    return new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve(`never cancelled on ${instance}`), WAIT_MS);
      const onAbort = () => {
        clearTimeout(timer);
        probe.aborted.push(instance);
        // Finishing after the cancel must not undo it.
        resolve(`finished anyway on ${instance}`);
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener("abort", onAbort, { once: true });
    });
  });
  addTool(server, names.asks, { taskSupport: "required" }, async (_args, ctx) => {
    started();
    const replies = await ctx.inputs({ a: question("a?"), b: question("b?") });
    return `a=${wordOf(replies.a)} b=${wordOf(replies.b)}`;
  });
  return server;
}

/** Two instances over `stores`: handlers with their own servers, optionally with their own task options. */
function instances(stores: Stores, tasks: { a?: TasksOptions; b?: TasksOptions } = {}) {
  const probe = newProbe();
  const names: Names = { work: unique("work"), endless: unique("endless"), asks: unique("asks") };
  const subject = unique("tasks-caller");
  const options = { stores, maxStreamMs: LISTEN_MS, authenticate: () => ({ subject }) };
  const build = (instance: string, own: TasksOptions = {}) =>
    createHandler(tasksServer(instance, names, own, probe), options);
  return { a: build("A", tasks.a), b: build("B", tasks.b), names, probe };
}

let lastId = 0;

/** One 2026-07-28 request; its result (the test fails on an error answer). */
async function rpc(
  handler: McpHandler,
  method: string,
  params: Record<string, unknown>,
  clientCapabilities: Record<string, unknown> = TASKS,
): Promise<Wire> {
  const id = ++lastId;
  const messages = await readJsonRpc(
    await handler.fetch(modernPost(URL_, method, params, { id, clientCapabilities })),
  );
  const final = messages[messages.length - 1];
  expect(final?.error, `${method} answered an error`).toBeUndefined();
  expect(final?.id).toBe(id);
  return final?.result as Wire;
}

/** Polls `tasks/get` on `handler` until `until` holds of the task (fails after `WAIT_MS`). */
async function poll(
  handler: McpHandler,
  taskId: string,
  until: (task: Wire) => boolean,
  what: string,
  clientCapabilities: Record<string, unknown> = TASKS,
): Promise<Wire> {
  let task: Wire = {};
  await waitUntil(async () => {
    task = await rpc(handler, "tasks/get", { taskId }, clientCapabilities);
    return until(task);
  }, what);
  return task;
}

const settled = (task: Wire) => task.status !== "working";

/** The empty acknowledgement of `tasks/update` and `tasks/cancel` (only `_meta` besides). */
function expectAck(result: Wire): void {
  const { _meta, ...rest } = result;
  expect(rest).toEqual({ resultType: "complete" });
}

export function taskTests(stores: () => Stores): void {
  it("tasks: created on one instance, found at once on another and polled there to its result", async () => {
    const { a, b, names, probe } = instances(stores());
    const created = await rpc(a, "tools/call", { name: names.work, arguments: {} });
    expect(created).toMatchObject({
      resultType: "task",
      status: "working",
      ttlMs: TTL_MS,
      pollIntervalMs: 50,
    });
    const { taskId } = created;
    expect(typeof taskId).toBe("string");
    // Written before the CreateTaskResult was sent: the other instance answers for it at once.
    const first = await rpc(b, "tasks/get", { taskId });
    expect(first).toMatchObject({ resultType: "complete", taskId, status: "working", ttlMs: TTL_MS });
    expect(first).not.toHaveProperty("result");
    probe.release();
    const done = await poll(b, taskId, settled, "the task to end");
    expect(done).toMatchObject({
      taskId,
      status: "completed",
      result: { content: [{ type: "text", text: "done on A" }], structuredContent: { instance: "A" } },
    });
    // What the tools/call would have answered at 2026-07-28, its resultType included.
    expect(done.result.resultType).toBe("complete");
    expect(await rpc(a, "tasks/get", { taskId })).toMatchObject({ status: "completed", result: done.result });
    expect(probe.starts.map((s) => s.instance)).toEqual(["A"]);
  });

  it("tasks: cancelled through one instance while it runs on another; the run's signal fires, it stays cancelled", async () => {
    const { a, b, names, probe } = instances(stores());
    const { taskId } = await rpc(a, "tools/call", { name: names.endless, arguments: {} });
    await waitUntil(() => probe.starts.length > 0, "the run to start");
    expectAck(await rpc(b, "tasks/cancel", { taskId }));
    expect((await rpc(a, "tasks/get", { taskId })).status).toBe("cancelled");
    await waitUntil(() => probe.aborted.length > 0, "the run's ctx.signal to fire");
    expect(probe.aborted).toEqual(["A"]);
    // The handler went on to return a result: the task stays cancelled, on both instances.
    for (let round = 0; round < 6; round++) {
      const task = await rpc(round % 2 === 0 ? a : b, "tasks/get", { taskId });
      expect(task.status, `round ${round}`).toBe("cancelled");
      expect(task).not.toHaveProperty("result");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(probe.starts.map((s) => s.instance)).toEqual(["A"]);
  });

  it("tasks: two questions inside a task, answered in parts through either instance", async () => {
    const { a, b, names, probe } = instances(stores());
    const { taskId } = await rpc(a, "tools/call", { name: names.asks, arguments: {} }, ASKING);
    const waiting = await poll(b, taskId, settled, "the task to ask", ASKING);
    expect(waiting.status).toBe("input_required");
    expect(Object.keys(waiting.inputRequests).sort()).toEqual(["a", "b"]);
    expect(waiting.inputRequests.a).toMatchObject({
      method: "elicitation/create",
      params: { message: "a?" },
    });
    expect(waiting.inputRequests.b).toMatchObject({
      method: "elicitation/create",
      params: { message: "b?" },
    });
    expectAck(await rpc(a, "tasks/update", { taskId, inputResponses: { a: answer("first") } }, ASKING));
    for (const handler of [b, a]) {
      const still = await rpc(handler, "tasks/get", { taskId }, ASKING);
      expect(still.status).toBe("input_required");
      expect(Object.keys(still.inputRequests)).toEqual(["b"]);
    }
    expectAck(await rpc(b, "tasks/update", { taskId, inputResponses: { b: answer("second") } }, ASKING));
    const done = await poll(a, taskId, settled, "the task to end", ASKING);
    expect(done).toMatchObject({
      status: "completed",
      result: { content: [{ type: "text", text: "a=first b=second" }] },
    });
    expect(done).not.toHaveProperty("inputRequests");
    // Asked on A; run again, from the start, where the last answer came in.
    expect(probe.starts.map((s) => s.instance)).toEqual(["A", "B"]);
  });

  it("tasks: ten cancels racing on two instances all acknowledge; the task is cancelled once", async () => {
    const { a, b, names, probe } = instances(stores());
    const { taskId } = await rpc(a, "tools/call", { name: names.endless, arguments: {} });
    await waitUntil(() => probe.starts.length > 0, "the run to start");
    // Both instances listen to the task's notifications until LISTEN_MS (subscribed once answered).
    const listens = await Promise.all(
      [a, b].map((handler) =>
        handler.fetch(
          modernPost(
            URL_,
            "subscriptions/listen",
            { notifications: { taskIds: [taskId] } },
            { id: "listen", clientCapabilities: TASKS },
          ),
        ),
      ),
    );
    const heard = Promise.all(
      listens.map((response) => readJsonRpc(response, { timeoutMs: LISTEN_MS + WAIT_MS })),
    );
    const acks = await Promise.all(
      Array.from({ length: 10 }, (_, i) => rpc(i % 2 === 0 ? a : b, "tasks/cancel", { taskId })),
    );
    for (const ack of acks) expectAck(ack);
    for (const [i, messages] of (await heard).entries()) {
      expect(messages[0]).toMatchObject({
        method: "notifications/subscriptions/acknowledged",
        params: { notifications: { taskIds: [taskId] } },
      });
      const statuses = messages
        .filter((m) => m.method === "notifications/tasks")
        .map((m) => m.params?.status);
      expect(statuses, `notifications/tasks heard on instance ${i === 0 ? "A" : "B"}`).toEqual(["cancelled"]);
    }
    await waitUntil(() => probe.aborted.length > 0, "the run's ctx.signal to fire");
    expect(probe.aborted).toEqual(["A"]);
    expect((await rpc(b, "tasks/get", { taskId })).status).toBe("cancelled");
  });

  it("tasks: a task whose run was lost is taken up by a poll on another instance once its lease ran out", async () => {
    const dropped: TaskJob[] = [];
    const { a, b, names, probe } = instances(stores(), {
      a: { leaseMs: LEASE_MS, maxRuns: 3, dispatch: async (job) => void dropped.push(job) },
      b: { leaseMs: LEASE_MS },
    });
    probe.release();
    const before = Date.now();
    const { taskId } = await rpc(a, "tools/call", { name: names.work, arguments: {} });
    expect(dropped).toEqual([{ taskId, token: expect.any(String) }]);
    const done = await poll(b, taskId, settled, "the task to be taken up and end");
    expect(done).toMatchObject({
      status: "completed",
      result: { content: [{ type: "text", text: "done on B" }] },
    });
    expect(probe.starts.map((s) => s.instance)).toEqual(["B"]);
    // Not before the lease the lost run held had run out.
    expect((probe.starts[0]?.at ?? 0) - before).toBeGreaterThanOrEqual(LEASE_MS);
  });
}
