/**
 * Guards in a tool's own `use` when the tool runs as a task (found by a review of the guards): the
 * call that starts the task goes through them as any call does — a rate limit counts it, an audit
 * records it, an idempotency key (from `_meta` or the arguments) is taken for it, per caller — and
 * the task's run is not guarded again. Also: two idempotency guards around one call hold one key,
 * and a lock too short to renew is refused.
 */
import { addTool, createHandler, enableTasks, McpServer, type Middleware, memoryStores } from "@portico/core";
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { type AuditRecord, audit, idempotent, rateLimit } from "../src/index.ts";

const URL_ = "http://127.0.0.1/mcp";
const TASKS = { extensions: { "io.modelcontextprotocol/tasks": {} } };
const KEY = "portico/idempotencyKey";

function tasksServer(use: Middleware[], serverUse: Middleware[] = []) {
  const server = new McpServer({ name: "t", version: "1" });
  enableTasks(server, { pollIntervalMs: 20 });
  if (serverUse.length > 0) server.use(...serverUse);
  const runs: unknown[] = [];
  addTool(server, "send", { taskSupport: "optional", annotations: { readOnlyHint: false }, use }, (args) => {
    runs.push(args);
    return `sent #${runs.length}`;
  });
  const handler = createHandler(server, { stores: memoryStores(), allowedHosts: ["127.0.0.1"] });
  return { handler, runs };
}

type Handler = ReturnType<typeof tasksServer>["handler"];

async function send(
  handler: Handler,
  args: Record<string, unknown>,
  { tasks = false, key, address = "198.51.100.7" }: { tasks?: boolean; key?: string; address?: string } = {},
): Promise<Record<string, any>> {
  const params: Record<string, unknown> = { name: "send", arguments: args };
  if (key !== undefined) params._meta = { [KEY]: key };
  const response = await handler.fetch(
    modernPost(URL_, "tools/call", params, { clientCapabilities: tasks ? TASKS : {} }),
    {},
    { clientAddress: address },
  );
  return ((await readJsonRpc(response)).at(-1) as { result: Record<string, any> }).result;
}

/** Polls a task to its end; its result. */
async function outcome(
  handler: Handler,
  taskId: string,
  address = "198.51.100.7",
): Promise<Record<string, any>> {
  for (let i = 0; i < 200; i++) {
    const response = await handler.fetch(
      modernPost(
        URL_,
        "tasks/get",
        { taskId },
        { clientCapabilities: TASKS, headers: { "mcp-name": taskId } },
      ),
      {},
      { clientAddress: address },
    );
    const task = ((await readJsonRpc(response)).at(-1) as { result: Record<string, any> }).result;
    if (task.status !== "working") return task;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("the task did not end");
}

describe("a tool's own guards and tasks", () => {
  it("a rate limit counts the call that starts a task, and not its run again", async () => {
    const { handler, runs } = tasksServer([rateLimit({ limit: 2, window: "hour" })]);
    expect((await send(handler, { i: 1 })).content[0].text).toBe("sent #1");
    const started = await send(handler, { i: 2 }, { tasks: true });
    expect(typeof started.taskId).toBe("string");
    expect((await outcome(handler, started.taskId)).status).toBe("completed");
    // The limit is spent: a third call is refused at once, as a task too (no task is made).
    const refused = await send(handler, { i: 3 }, { tasks: true });
    expect(refused.taskId).toBeUndefined();
    expect(refused.isError).toBe(true);
    expect(runs).toHaveLength(2);
  });

  it("an idempotency key from _meta answers every duplicate with the first call's task; the tool runs once", async () => {
    const { handler, runs } = tasksServer([idempotent()]);
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++)
      ids.add((await send(handler, { to: "a" }, { tasks: true, key: "k-1" })).taskId);
    expect(ids.size).toBe(1);
    expect((await outcome(handler, [...ids][0] as string)).status).toBe("completed");
    expect(runs).toHaveLength(1);
  });

  it("a key from the arguments is per caller for tasks too: another anonymous address gets its own run", async () => {
    const { handler, runs } = tasksServer([idempotent({ key: (args) => args.orderId as string })]);
    const first = await send(handler, { orderId: "o-1" }, { tasks: true, address: "198.51.100.7" });
    await outcome(handler, first.taskId, "198.51.100.7");
    const second = await send(handler, { orderId: "o-1" }, { tasks: true, address: "203.0.113.66" });
    expect(second.taskId).not.toBe(first.taskId);
    const done = await outcome(handler, second.taskId, "203.0.113.66");
    expect(runs).toHaveLength(2);
    expect(JSON.stringify(done)).not.toContain('"replayed":true');
  });

  it("an audit records the call that starts a task", async () => {
    const records: AuditRecord[] = [];
    const { handler } = tasksServer([audit({ sink: (record) => void records.push(record) })]);
    const started = await send(handler, { to: "b" }, { tasks: true });
    await outcome(handler, started.taskId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ tool: "send" });
  });
});

describe("idempotency settings", () => {
  it("two idempotency guards around one call hold one key: the tool runs once, a duplicate is answered", async () => {
    const { handler, runs } = tasksServer([idempotent({ ttlMs: 86_400_000 })], [idempotent()]);
    const first = await send(handler, { to: "c" }, { key: "k-2" });
    const again = await send(handler, { to: "c" }, { key: "k-2" });
    expect(first.content[0].text).toBe("sent #1");
    expect(again.content[0].text).toBe("sent #1");
    expect(runs).toHaveLength(1);
  });

  it("refuses a lock too short to renew (under 150 ms)", () => {
    expect(() => idempotent({ lockMs: 60 })).toThrow("idempotent: lockMs must be at least 150 ms");
    expect(() => idempotent({ lockMs: 150 })).not.toThrow();
  });
});
