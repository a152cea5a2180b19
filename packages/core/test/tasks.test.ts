/**
 * Tasks in both eras: a tools/call that becomes a task, polled to its outcome (result, tool error,
 * protocol error), cancelled, asking for input inside the task (answered in parts), gathering input
 * by MRTR before it becomes one, found by any instance over shared stores, only by its caller, and
 * never left `working` when its run dies.
 */
import { describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  ErrorCode,
  enableTasks,
  McpError,
  McpServer,
  memoryStores,
  type Stores,
  type TasksOptions,
  ToolError,
} from "../src/index.ts";
import { legacySession, modern, sseMessages, URL_ } from "./_client.ts";
import { initializeRequest } from "./_requests.ts";

const EXT = "io.modelcontextprotocol/tasks";
const WITH_TASKS = { capabilities: { elicitation: {}, extensions: { [EXT]: {} } } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Probe {
  aborted: boolean;
  runs: number;
}

function tasksServer(options: TasksOptions = {}, probe: Probe = { aborted: false, runs: 0 }): McpServer {
  const server = new McpServer({ name: "tasks", version: "1.0.0" });
  enableTasks(server, { pollIntervalMs: 50, ...options });
  addTool(server, "plain", {}, () => "plain");
  addTool(server, "slow", { taskSupport: "optional" }, async (_args, ctx) => {
    probe.runs++;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 150);
      ctx.signal.addEventListener("abort", () => {
        probe.aborted = true;
        clearTimeout(timer);
        reject(ctx.signal.reason);
      });
    });
    return { content: [{ type: "text", text: "slow done" }], structuredContent: { ok: true } };
  });
  addTool(server, "forever", { taskSupport: "optional" }, (_args, ctx) => {
    return new Promise((_resolve, reject) => {
      ctx.signal.addEventListener("abort", () => {
        probe.aborted = true;
        reject(ctx.signal.reason);
      });
    });
  });
  addTool(server, "must", { taskSupport: "required" }, () => "must done");
  addTool(server, "tool-error", { taskSupport: "optional" }, () => {
    throw new ToolError("it went wrong");
  });
  addTool(server, "protocol-error", { taskSupport: "optional" }, () => {
    throw new McpError(ErrorCode.InvalidParams, "bad input", { field: "x" });
  });
  addTool(server, "asks", { taskSupport: "optional" }, async (_args, ctx) => {
    const answers = await ctx.inputs({
      a: { method: "elicitation/create", params: { message: "A?", requestedSchema: { type: "object" } } },
      b: { method: "elicitation/create", params: { message: "B?", requestedSchema: { type: "object" } } },
    });
    return `a=${(answers.a as { action: string }).action} b=${(answers.b as { action: string }).action}`;
  });
  addTool(server, "mrtr-then-task", { taskSupport: "required", taskStart: "handler" }, async (_args, ctx) => {
    const who = await ctx.elicit({ message: "Name?", requestedSchema: { type: "object" } });
    await ctx.startTask();
    return `hello ${(who.content as { name?: string } | undefined)?.name}`;
  });
  return server;
}

const taskHeaders = (taskId: string) => ({ headers: { "mcp-name": taskId }, ...WITH_TASKS });

async function poll(handler: ReturnType<typeof createHandler>, taskId: string, until: (t: any) => boolean) {
  for (let i = 0; i < 100; i++) {
    const got = await modern(handler, "tasks/get", { taskId }, taskHeaders(taskId));
    if (got.final.error) throw new Error(JSON.stringify(got.final.error));
    if (until(got.final.result)) return got.final.result;
    await sleep(20);
  }
  throw new Error("task never reached the state");
}

const terminal = (t: any) => ["completed", "failed", "cancelled"].includes(t.status);

describe("tasks (2026-07-28 extension)", () => {
  it("advertises the extension in server/discover, not a capabilities.tasks slot", async () => {
    const handler = createHandler(tasksServer());
    const { final } = await modern(handler, "server/discover");
    expect(final.result.capabilities.extensions).toEqual({ [EXT]: {} });
    expect(final.result.capabilities.tasks).toBeUndefined();
  });

  it("answers a CreateTaskResult, then inlines the tool's result on tasks/get", async () => {
    const handler = createHandler(tasksServer());
    const created = await modern(handler, "tools/call", { name: "slow", arguments: {} }, WITH_TASKS);
    const task = created.final.result;
    expect(task).toMatchObject({
      resultType: "task",
      status: "working",
      ttlMs: 3_600_000,
      pollIntervalMs: 50,
    });
    expect(task.taskId).toMatch(/^[A-Za-z0-9_-]{26}$/);
    expect(task.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (const absent of ["task", "result", "error", "inputRequests", "requestState", "content"])
      expect(task).not.toHaveProperty(absent);
    // Durable before the answer: an immediate tasks/get finds it.
    const first = await modern(handler, "tasks/get", { taskId: task.taskId }, taskHeaders(task.taskId));
    expect(first.final.result).toMatchObject({
      resultType: "complete",
      taskId: task.taskId,
      status: "working",
    });
    const done = await poll(handler, task.taskId, terminal);
    expect(done).toMatchObject({
      status: "completed",
      resultType: "complete",
      result: { content: [{ type: "text", text: "slow done" }], structuredContent: { ok: true } },
    });
    // The inlined result is what the tools/call would have answered, resultType included.
    expect(done.result.resultType).toBe("complete");
  });

  it("runs the call as usual for a client without the extension; refuses a required one with -32021", async () => {
    const handler = createHandler(tasksServer());
    const sync = await modern(handler, "tools/call", { name: "slow", arguments: {} });
    expect(sync.final.result).toMatchObject({ resultType: "complete", content: [{ text: "slow done" }] });
    const required = await modern(handler, "tools/call", { name: "must", arguments: {} });
    expect(required.status).toBe(400);
    expect(required.final.error).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { extensions: { [EXT]: {} } } },
    });
    const plain = await modern(
      handler,
      "tools/call",
      { name: "plain", arguments: {}, task: { ttl: 5 } },
      WITH_TASKS,
    );
    expect(plain.final.result).toMatchObject({ resultType: "complete", content: [{ text: "plain" }] });
  });

  it("gates the task methods on the extension, refuses unknown ids and the removed v1 methods", async () => {
    const handler = createHandler(tasksServer());
    const gated = await modern(handler, "tasks/get", { taskId: "x" }, { headers: { "mcp-name": "x" } });
    expect(gated.final.error.code).toBe(-32021);
    const unknown = await modern(handler, "tasks/get", { taskId: "nope" }, taskHeaders("nope"));
    expect(unknown.final.error.code).toBe(-32602);
    const mismatch = await modern(handler, "tasks/get", { taskId: "a" }, taskHeaders("b"));
    expect(mismatch.final.error.code).toBe(-32020);
    for (const method of ["tasks/result", "tasks/list"]) {
      const removed = await modern(handler, method, { taskId: "x" }, WITH_TASKS);
      expect(removed.final.error.code).toBe(-32601);
    }
  });

  it("a tool error completes the task with isError; a JSON-RPC error fails it", async () => {
    const handler = createHandler(tasksServer(), { onError: () => {} });
    const toolError = await modern(handler, "tools/call", { name: "tool-error", arguments: {} }, WITH_TASKS);
    const te = await poll(handler, toolError.final.result.taskId, terminal);
    expect(te).toMatchObject({
      status: "completed",
      result: { isError: true, content: [{ text: "it went wrong" }] },
    });
    const protocol = await modern(
      handler,
      "tools/call",
      { name: "protocol-error", arguments: {} },
      WITH_TASKS,
    );
    const pe = await poll(handler, protocol.final.result.taskId, terminal);
    expect(pe).toMatchObject({
      status: "failed",
      error: { code: -32602, message: "bad input", data: { field: "x" } },
    });
    expect(pe).not.toHaveProperty("result");
  });

  it("cancels: an empty ack, the running handler's signal fires, the status stays cancelled", async () => {
    const probe = { aborted: false, runs: 0 };
    const handler = createHandler(tasksServer({}, probe));
    const created = await modern(handler, "tools/call", { name: "forever", arguments: {} }, WITH_TASKS);
    const { taskId } = created.final.result;
    await sleep(30);
    const ack = await modern(handler, "tasks/cancel", { taskId }, taskHeaders(taskId));
    expect(ack.final.result).toEqual({ resultType: "complete", _meta: expect.any(Object) });
    const after = await poll(handler, taskId, terminal);
    expect(after.status).toBe("cancelled");
    await sleep(30);
    expect(probe.aborted).toBe(true);
    expect((await poll(handler, taskId, terminal)).status).toBe("cancelled");
    // Idempotent on a terminal task.
    const again = await modern(handler, "tasks/cancel", { taskId }, taskHeaders(taskId));
    expect(again.final.result.resultType).toBe("complete");
  });

  it("asks for input inside the task; answers may come in parts; unknown keys are ignored", async () => {
    const handler = createHandler(tasksServer());
    const created = await modern(handler, "tools/call", { name: "asks", arguments: {} }, WITH_TASKS);
    const { taskId } = created.final.result;
    const waiting = await poll(handler, taskId, (t) => t.status === "input_required");
    expect(Object.keys(waiting.inputRequests).sort()).toEqual(["a", "b"]);
    expect(waiting.inputRequests.a.method).toBe("elicitation/create");
    const partial = await modern(
      handler,
      "tasks/update",
      { taskId, inputResponses: { a: { action: "accept", content: {} }, zzz: { action: "accept" } } },
      taskHeaders(taskId),
    );
    expect(partial.final.result).toEqual({ resultType: "complete", _meta: expect.any(Object) });
    const still = await modern(handler, "tasks/get", { taskId }, taskHeaders(taskId));
    expect(still.final.result.status).toBe("input_required");
    expect(Object.keys(still.final.result.inputRequests)).toEqual(["b"]);
    const malformed = await modern(
      handler,
      "tasks/update",
      { taskId, inputResponses: { b: "yes" } },
      taskHeaders(taskId),
    );
    expect(malformed.final.error.code).toBe(-32602);
    await modern(
      handler,
      "tasks/update",
      { taskId, inputResponses: { b: { action: "decline" } } },
      taskHeaders(taskId),
    );
    const done = await poll(handler, taskId, terminal);
    expect(done).toMatchObject({
      status: "completed",
      result: { content: [{ text: "a=accept b=decline" }] },
    });
  });

  it("gathers input by MRTR in the request, then becomes a task carrying the answer", async () => {
    const handler = createHandler(tasksServer(), { secret: "s".repeat(32) });
    const round1 = await modern(handler, "tools/call", { name: "mrtr-then-task", arguments: {} }, WITH_TASKS);
    expect(round1.final.result.resultType).toBe("input_required");
    expect(round1.final.result).not.toHaveProperty("taskId");
    const key = Object.keys(round1.final.result.inputRequests)[0] as string;
    const round2 = await modern(
      handler,
      "tools/call",
      {
        name: "mrtr-then-task",
        arguments: {},
        inputResponses: { [key]: { action: "accept", content: { name: "Alice" } } },
        requestState: round1.final.result.requestState,
      },
      WITH_TASKS,
    );
    expect(round2.final.result).toMatchObject({ resultType: "task", status: "working" });
    expect(round2.final.result).not.toHaveProperty("requestState");
    const done = await poll(handler, round2.final.result.taskId, terminal);
    expect(done.result.content[0].text).toBe("hello Alice");
  });

  it("is found by any instance over shared stores, and only by the caller who made it", async () => {
    const stores: Stores = memoryStores();
    const auth = (request: Request) => {
      const who = request.headers.get("x-user");
      return who === null ? undefined : { subject: who };
    };
    const a = createHandler(tasksServer(), { stores, authenticate: auth });
    const b = createHandler(tasksServer(), { stores, authenticate: auth });
    const alice = { headers: { "x-user": "alice" }, ...WITH_TASKS };
    const created = await modern(a, "tools/call", { name: "slow", arguments: {} }, alice);
    const { taskId } = created.final.result;
    const fromB = await modern(
      b,
      "tasks/get",
      { taskId },
      { ...alice, headers: { ...alice.headers, "mcp-name": taskId } },
    );
    expect(fromB.final.result.taskId).toBe(taskId);
    for (const other of [{ "x-user": "mallory" }, {}]) {
      const stranger = await modern(
        b,
        "tasks/get",
        { taskId },
        { ...WITH_TASKS, headers: { ...other, "mcp-name": taskId } },
      );
      expect(stranger.final.error.code).toBe(-32602);
      const cancel = await modern(
        b,
        "tasks/cancel",
        { taskId },
        { ...WITH_TASKS, headers: { ...other, "mcp-name": taskId } },
      );
      expect(cancel.final.error.code).toBe(-32602);
    }
  });

  it("a run whose lease went to another run stops (its signal fires) and writes nothing", async () => {
    const probe = { aborted: false, runs: 0 };
    const stores = memoryStores();
    const handler = createHandler(tasksServer({ leaseMs: 300 }, probe), { stores });
    const created = await modern(handler, "tools/call", { name: "forever", arguments: {} }, WITH_TASKS);
    const { taskId } = created.final.result;
    await sleep(50);
    // Another run takes the lease (as after this one stalled past it).
    const key = { kind: "task", id: taskId };
    const stored = await stores.sessions.get(key);
    const value = structuredClone(stored?.value) as Record<string, any>;
    value.lease = { by: "another-run", until: Date.now() + 60_000 };
    expect(await stores.sessions.update(key, stored?.version as number, value, 60_000)).toBe(true);
    await sleep(250);
    expect(probe.aborted).toBe(true);
    const after = (await stores.sessions.get(key))?.value as Record<string, any>;
    expect(after.status).toBe("working");
    expect(after.lease.by).toBe("another-run");
  });

  it("bounds the tasks one caller holds (maxTasksPerCaller), others unaffected", async () => {
    const auth = (request: Request) => ({ subject: request.headers.get("x-user") ?? "nobody" });
    const handler = createHandler(tasksServer({ maxTasksPerCaller: 2 }), { authenticate: auth });
    const as = (user: string) => ({ ...WITH_TASKS, headers: { "x-user": user } });
    const calls = await Promise.all(
      [1, 2, 3, 4].map(() => modern(handler, "tools/call", { name: "slow", arguments: {} }, as("alice"))),
    );
    const created = calls.filter((c) => c.final.result?.resultType === "task");
    const refused = calls.filter((c) => c.final.error !== undefined);
    expect(created).toHaveLength(2);
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.final.error).toMatchObject({ code: -32600, data: { limit: 2 } });
      expect(r.final.error.message).toMatch(/Too many tasks/);
    }
    const bob = await modern(handler, "tools/call", { name: "slow", arguments: {} }, as("bob"));
    expect(bob.final.result.resultType).toBe("task");
  });

  it("takes up a task whose run never started, and fails one whose runs keep stopping", async () => {
    let dropped = 0;
    const lost: TasksOptions = { leaseMs: 100, maxRuns: 2, dispatch: async () => void dropped++ };
    const stores = memoryStores();
    const lossy = createHandler(tasksServer(lost), { stores });
    const created = await modern(lossy, "tools/call", { name: "slow", arguments: {} }, WITH_TASKS);
    const { taskId } = created.final.result;
    await sleep(150);
    // The lease ran out: the next tasks/get dispatches again (lost again here) …
    expect((await modern(lossy, "tasks/get", { taskId }, taskHeaders(taskId))).final.result.status).toBe(
      "working",
    );
    expect(dropped).toBe(2);
    await sleep(150);
    // … and after maxRuns dispatches it fails with a clear message instead of staying working.
    const failed = (await modern(lossy, "tasks/get", { taskId }, taskHeaders(taskId))).final.result;
    expect(failed).toMatchObject({ status: "failed", error: { code: -32603 } });
    expect(failed.statusMessage).toMatch(/stopped 2 times in a row without saving progress/);

    // A healthy instance over the same stores takes up a stalled task and finishes it.
    const second = await modern(lossy, "tools/call", { name: "slow", arguments: {} }, WITH_TASKS);
    await sleep(150);
    // Its own lease is long (the stall is the lossy instance's 100 ms one): a loaded machine that
    // runs a poll before this instance's heartbeat must not make it look stalled too.
    const healthy = createHandler(tasksServer({ leaseMs: 1_000, maxRuns: 2 }), { stores });
    const id = second.final.result.taskId;
    await modern(healthy, "tasks/get", { taskId: id }, taskHeaders(id));
    expect((await poll(healthy, id, terminal)).status).toBe("completed");
  });
});

describe("tasks (2025-11-25 experimental)", () => {
  it("declares capabilities.tasks, lists taskSupport, and runs a task-augmented call", async () => {
    const handler = createHandler(tasksServer());
    const session = await legacySession(handler);
    const list = await session.call("tools/list");
    const tools = Object.fromEntries(list.final.result.tools.map((t: any) => [t.name, t]));
    expect(tools.slow.execution).toEqual({ taskSupport: "optional" });
    expect(tools.plain.execution).toBeUndefined();
    const created = await session.call("tools/call", { name: "slow", arguments: {}, task: { ttl: 60_000 } });
    const task = created.final.result.task;
    expect(task).toMatchObject({ status: "working", ttl: 60_000, pollInterval: 50 });
    expect(task).not.toHaveProperty("ttlMs");
    const got = await session.call("tasks/get", { taskId: task.taskId });
    expect(got.final.result.taskId).toBe(task.taskId);
    const result = await session.call("tasks/result", { taskId: task.taskId });
    expect(result.final.result).toMatchObject({
      content: [{ text: "slow done" }],
      _meta: { "io.modelcontextprotocol/related-task": { taskId: task.taskId } },
    });
    const listed = await session.call("tasks/list");
    expect(listed.final.result.tasks.map((t: any) => t.taskId)).toEqual([task.taskId]);
    const other = await legacySession(handler);
    expect((await other.call("tasks/list")).final.result.tasks).toEqual([]);
    expect((await other.call("tasks/get", { taskId: task.taskId })).final.error.code).toBe(-32602);
    const cancelEnded = await session.call("tasks/cancel", { taskId: task.taskId });
    expect(cancelEnded.final.error.code).toBe(-32602);
  });

  it("refuses a required tool called without params.task, and a task for a tool that forbids it", async () => {
    const handler = createHandler(tasksServer());
    const session = await legacySession(handler);
    expect((await session.call("tools/call", { name: "must", arguments: {} })).final.error.code).toBe(-32601);
    const forbidden = await session.call("tools/call", { name: "plain", arguments: {}, task: {} });
    expect(forbidden.final.error.code).toBe(-32601);
    const initialize = await handler.fetch(initializeRequest(URL_));
    const caps = (await initialize.json()).result.capabilities;
    expect(caps.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    expect(caps.extensions).toBeUndefined();
  });

  it("asks for a task's input over tasks/result's stream (related-task) and then returns its result", async () => {
    const handler = createHandler(tasksServer());
    const session = await legacySession(handler, "2025-11-25", { elicitation: {} });
    const created = await session.call("tools/call", { name: "asks", arguments: {}, task: {} });
    const { taskId } = created.final.result.task;
    for (let i = 0; i < 100; i++) {
      const got = await session.call("tasks/get", { taskId });
      if (got.final.result.status === "input_required") break;
      await sleep(20);
    }
    const response = await session.send({
      jsonrpc: "2.0",
      id: 7,
      method: "tasks/result",
      params: { taskId },
    });
    const asked: Record<string, any>[] = [];
    let final: Record<string, any> | undefined;
    for await (const message of sseMessages(response)) {
      if (message.method === "elicitation/create") {
        asked.push(message);
        await session.send({ jsonrpc: "2.0", id: message.id, result: { action: "accept", content: {} } });
      } else if (message.id === 7) {
        final = message;
        break;
      }
    }
    expect(asked).toHaveLength(2);
    for (const a of asked) expect(a.params._meta["io.modelcontextprotocol/related-task"]).toEqual({ taskId });
    expect(final?.result).toMatchObject({
      content: [{ text: "a=accept b=accept" }],
      _meta: { "io.modelcontextprotocol/related-task": { taskId } },
    });
  });

  it("cancels a running task and returns it as cancelled; tasks/result then reports the cancellation", async () => {
    const handler = createHandler(tasksServer());
    const session = await legacySession(handler);
    const created = await session.call("tools/call", { name: "forever", arguments: {}, task: {} });
    const { taskId } = created.final.result.task;
    const cancelled = await session.call("tasks/cancel", { taskId });
    expect(cancelled.final.result).toMatchObject({ taskId, status: "cancelled" });
    const result = await session.call("tasks/result", { taskId });
    expect(result.final.error.code).toBe(-32603);
  });
});
