/**
 * 2025-11-25 experimental tasks: a tool's `isError` result is a `failed` task on this era's wire,
 * and a blocked `tasks/result` holds a bounded set of listeners however long it waits.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { addTool, createHandler, enableTasks, McpServer, ToolError } from "../src/index.ts";
import { legacySession } from "./_client.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a tool error (isError) in a 2025-11-25 task", () => {
  // 2025-11-25 tasks, Task Status: "failed: ... For tool calls specifically, this includes cases
  // where the tool call result has isError set to true"; tasks/result still returns exactly what
  // the tools/call would have (the isError result). At 2026-07-28 such a task stays `completed`.
  it("reads failed (with a statusMessage) on tasks/get and tasks/list; tasks/result gives the result", async () => {
    const server = new McpServer({ name: "t", version: "1.0.0" });
    enableTasks(server, { pollIntervalMs: 10 });
    addTool(server, "oops", { taskSupport: "optional" }, () => {
      throw new ToolError("it went wrong");
    });
    const handler = createHandler(server);
    const session = await legacySession(handler);
    const created = await session.call("tools/call", { name: "oops", arguments: {}, task: {} });
    const { taskId } = created.final.result.task;
    let task: Record<string, any> = {};
    for (let i = 0; i < 100 && !["completed", "failed"].includes(task.status); i++) {
      task = (await session.call("tasks/get", { taskId })).final.result;
      await sleep(10);
    }
    expect(task.status).toBe("failed");
    expect(task.statusMessage).toEqual(expect.any(String));
    const listed = (await session.call("tasks/list")).final.result.tasks;
    expect(listed).toMatchObject([{ taskId, status: "failed" }]);
    const result = await session.call("tasks/result", { taskId });
    expect(result.final.result).toMatchObject({ isError: true, content: [{ text: "it went wrong" }] });
    const cancel = await session.call("tasks/cancel", { taskId });
    expect(cancel.final.error.code).toBe(-32602);
  });
});

describe("tasks/result waiting", () => {
  it("keeps a bounded number of abort listeners while it polls a long task", async () => {
    const server = new McpServer({ name: "t", version: "1.0.0" });
    enableTasks(server, { pollIntervalMs: 1 });
    addTool(server, "long", { taskSupport: "optional" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return "long done";
    });
    const handler = createHandler(server);
    const session = await legacySession(handler);
    const created = await session.call("tools/call", { name: "long", arguments: {}, task: {} });
    const { taskId } = created.final.result.task;

    // Net `abort` listeners per signal, and the most any signal held at once.
    const live = new Map<EventTarget, Set<unknown>>();
    let most = 0;
    const add = AbortSignal.prototype.addEventListener;
    const remove = AbortSignal.prototype.removeEventListener;
    vi.spyOn(AbortSignal.prototype, "addEventListener").mockImplementation(function (
      this: AbortSignal,
      type: string,
      listener: unknown,
      options?: unknown,
    ) {
      if (type === "abort") {
        const set = live.get(this) ?? new Set();
        set.add(listener);
        live.set(this, set);
        most = Math.max(most, set.size);
      }
      return add.call(this, type, listener as EventListener, options as AddEventListenerOptions);
    });
    vi.spyOn(AbortSignal.prototype, "removeEventListener").mockImplementation(function (
      this: AbortSignal,
      type: string,
      listener: unknown,
      options?: unknown,
    ) {
      if (type === "abort") live.get(this)?.delete(listener);
      return remove.call(this, type, listener as EventListener, options as EventListenerOptions);
    });

    const result = await session.call("tasks/result", { taskId });
    expect(result.final.result).toMatchObject({ content: [{ text: "long done" }] });
    expect(most).toBeLessThanOrEqual(4);
  });
});

describe("2025-11-25 tasks/list pages", () => {
  it("go on after the last task listed: none repeated when tasks are created between pages; a made-up cursor is -32602", async () => {
    const server = new McpServer({ name: "t", version: "1.0.0" });
    enableTasks(server, { pollIntervalMs: 10 });
    addTool(server, "wait", { taskSupport: "optional" }, () => "done");
    const session = await legacySession(createHandler(server));
    const create = async () =>
      (await session.call("tools/call", { name: "wait", arguments: {}, task: {} })).final.result.task
        .taskId as string;
    const created: string[] = [];
    for (let i = 0; i < 55; i++) created.push(await create());
    const first = (await session.call("tasks/list")).final.result;
    expect(first.tasks).toHaveLength(50);
    // Five more between the pages: they are newer, so they come before the cursor, not after.
    for (let i = 0; i < 5; i++) await create();
    const second = (await session.call("tasks/list", { cursor: first.nextCursor })).final.result;
    const seen = [...first.tasks, ...second.tasks].map((t: { taskId: string }) => t.taskId);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.toSorted()).toStrictEqual(created.toSorted());
    for (const cursor of ["999999", "after:nope", 5]) {
      expect((await session.call("tasks/list", { cursor })).final.error?.code).toBe(-32602);
    }
  });
});
