/**
 * A task outcome the session store refuses for good (DynamoDB takes items of at most 400 KB, a
 * Durable Object value has a size limit too): the task fails at once with a clear message, and its
 * tool is not run again. Before, the record stayed `working`, its lease ran out, and the next polls
 * ran the tool again until `maxRuns`, then failed with a message blaming a dead worker.
 */
import { describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  enableTasks,
  McpServer,
  memoryStores,
  type Stores,
  StoreUnavailableError,
} from "../src/index.ts";
import { legacySession } from "./_client.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LIMIT = 10_000;

/** Memory stores whose session store refuses a task record over `LIMIT` bytes, as DynamoDB refuses an item over 400 KB. */
function refusingLargeTasks(refusal: () => Error): Stores {
  const stores = memoryStores();
  const update = stores.sessions.update.bind(stores.sessions);
  const create = stores.sessions.create.bind(stores.sessions);
  const tooLarge = (key: { kind: string }, value: unknown) =>
    (key.kind === "task" || key.kind === "task-input") && JSON.stringify(value).length > LIMIT;
  stores.sessions.update = async (key, version, value, ttl) => {
    if (tooLarge(key, value)) throw refusal();
    return update(key, version, value, ttl);
  };
  stores.sessions.create = async (key, value, ttl) => {
    if (tooLarge(key, value)) throw refusal();
    return create(key, value, ttl);
  };
  return stores;
}

function server() {
  const runs = { big: 0, small: 0 };
  const s = new McpServer({ name: "tasks-outcome-refused", version: "1.0.0" });
  enableTasks(s, { pollIntervalMs: 20, leaseMs: 150 });
  addTool(s, "big", { taskSupport: "optional" }, async () => {
    runs.big++;
    return "x".repeat(LIMIT * 2);
  });
  addTool(s, "small", { taskSupport: "optional" }, async () => {
    runs.small++;
    return "ok";
  });
  return { server: s, runs };
}

/** Polls `tasks/get` (bounded) until the task leaves `working`. */
async function settled(session: Awaited<ReturnType<typeof legacySession>>, taskId: string) {
  for (let i = 0; i < 200; i++) {
    const got = (await session.call("tasks/get", { taskId })).final.result;
    if (got?.status !== "working") return got;
    await sleep(20);
  }
  throw new Error("the task stayed working");
}

describe("a task outcome the store refuses for good", () => {
  it("fails the task at once, with a clear message and no internals, and runs its tool once", async () => {
    const reported: [unknown, string][] = [];
    const { server: s, runs } = server();
    const handler = createHandler(s, {
      stores: refusingLargeTasks(
        () =>
          new Error("ValidationException: Item size has exceeded the maximum allowed size (table mcp-prod)"),
      ),
      onError: (error, where) => reported.push([error, where]),
    });
    const session = await legacySession(handler);
    const created = await session.call("tools/call", { name: "big", arguments: {}, task: { ttl: 60_000 } });
    const taskId = created.final.result.task.taskId as string;
    const got = await settled(session, taskId);
    expect(got).toMatchObject({ taskId, status: "failed" });
    expect(got.statusMessage).toMatch(/result could not be stored/);
    expect(JSON.stringify(got)).not.toMatch(/mcp-prod|ValidationException/);
    const result = await session.call("tasks/result", { taskId });
    expect(result.final.error).toMatchObject({ code: -32603 });
    expect(result.final.error.message).toMatch(/result could not be stored/);
    // Well past several leases: nothing ran the tool again.
    await sleep(500);
    expect((await session.call("tasks/get", { taskId })).final.result.status).toBe("failed");
    expect(runs.big).toBe(1);
    // The operator hears the store's own error.
    expect(reported.some(([error]) => String(error).includes("Item size has exceeded"))).toBe(true);
    // Other tasks are unaffected.
    const small = await session.call("tools/call", { name: "small", arguments: {}, task: { ttl: 60_000 } });
    expect(await settled(session, small.final.result.task.taskId)).toMatchObject({ status: "completed" });
  });

  it("refuses a task whose arguments the store will not keep, and gives its slot back", async () => {
    const reported: unknown[] = [];
    const s = new McpServer({ name: "tasks-input-refused", version: "1.0.0" });
    enableTasks(s, { pollIntervalMs: 20, maxTasksPerCaller: 1 });
    let runs = 0;
    addTool(s, "echo", { taskSupport: "optional" }, async (args) => {
      runs++;
      return `${JSON.stringify(args).length}`;
    });
    const handler = createHandler(s, {
      stores: refusingLargeTasks(
        () => new Error("ValidationException: Item size has exceeded (table mcp-prod)"),
      ),
      onError: (error) => reported.push(error),
    });
    const session = await legacySession(handler);
    for (let i = 0; i < 3; i++) {
      const refused = await session.call("tools/call", {
        name: "echo",
        arguments: { blob: "z".repeat(LIMIT * 2) },
        task: { ttl: 60_000 },
      });
      expect(refused.final.error).toMatchObject({
        code: -32603,
        message: "Internal error: the task could not be stored",
      });
      expect(JSON.stringify(refused.final)).not.toMatch(/mcp-prod|ValidationException/);
    }
    expect(runs).toBe(0);
    expect(reported.some((e) => String(e).includes("Item size has exceeded"))).toBe(true);
    // The slot (maxTasksPerCaller: 1) was given back each time: a task that fits is taken.
    const fits = await session.call("tools/call", {
      name: "echo",
      arguments: { a: 1 },
      task: { ttl: 60_000 },
    });
    expect(await settled(session, fits.final.result.task.taskId)).toMatchObject({ status: "completed" });
    expect(runs).toBe(1);
  });

  it("leaves a store outage to a later run (the outcome is written once the store is back)", async () => {
    let down = true;
    const stores = refusingLargeTasks(() => new StoreUnavailableError("the store is down"));
    const { server: s, runs } = server();
    const update = stores.sessions.update.bind(stores.sessions);
    // Down for the first outcome only (the big tool's record fits once the store is "back" below).
    stores.sessions.update = async (key, version, value, ttl) => {
      if (key.kind === "task" && (value as { status?: string }).status === "completed" && down) {
        down = false;
        throw new StoreUnavailableError("the store is down");
      }
      return update(key, version, value, ttl);
    };
    const handler = createHandler(s, { stores, onError: () => {} });
    const session = await legacySession(handler);
    const created = await session.call("tools/call", { name: "small", arguments: {}, task: { ttl: 60_000 } });
    const got = await settled(session, created.final.result.task.taskId);
    // Not failed for good: the lease ran out and a later run wrote the outcome.
    expect(got).toMatchObject({ status: "completed" });
    expect(runs.small).toBe(2);
  });
});
