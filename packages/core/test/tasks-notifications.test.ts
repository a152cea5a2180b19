/**
 * Task status notifications: `notifications/tasks` on a 2026-07-28 `subscriptions/listen` stream
 * for the caller's own `taskIds` (refused without the extension), and 2025-11-25
 * `notifications/tasks/status` on the session's GET stream.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, enableTasks, McpServer, memoryStores } from "../src/index.ts";
import { legacySession, modern, URL_ } from "./_client.ts";
import { listenRequest } from "./_requests.ts";

const EXT = "io.modelcontextprotocol/tasks";

function server(): McpServer {
  const s = new McpServer({ name: "n", version: "1.0.0" });
  enableTasks(s, { pollIntervalMs: 50 });
  addTool(s, "quick", { taskSupport: "optional" }, async () => {
    await new Promise((r) => setTimeout(r, 100));
    return "quick done";
  });
  return s;
}

function listen(taskIds: unknown, capabilities: Record<string, unknown>, user?: string): Request {
  return listenRequest(URL_, { taskIds }, capabilities, user === undefined ? {} : { "x-user": user });
}

const events = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith("data: ") && l.length > 6)
    .map((l) => JSON.parse(l.slice(6)));

const authenticate = (request: Request) => {
  const who = request.headers.get("x-user");
  return who === null ? undefined : { subject: who };
};

describe("task status notifications", () => {
  it("2026-07-28: notifications/tasks on subscriptions/listen, for the caller's own tasks only", async () => {
    const stores = memoryStores();
    const handler = createHandler(server(), { maxStreamMs: 700, stores, authenticate });
    const caps = { extensions: { [EXT]: {} } };
    const created = await modern(
      handler,
      "tools/call",
      { name: "quick", arguments: {} },
      { capabilities: caps, headers: { "x-user": "alice" } },
    );
    const { taskId } = created.final.result;
    const own = await handler.fetch(listen([taskId, "unknown-task"], caps, "alice"));
    const stranger = await handler.fetch(listen([taskId], caps, "mallory"));
    const mine = events(await own.text());
    expect(mine[0]).toMatchObject({
      method: "notifications/subscriptions/acknowledged",
      params: { notifications: { taskIds: [taskId] } },
    });
    const completed = mine.find((m) => m.method === "notifications/tasks" && m.params.status === "completed");
    expect(completed?.params).toMatchObject({
      taskId,
      status: "completed",
      result: { content: [{ type: "text", text: "quick done" }] },
    });
    const theirs = events(await stranger.text());
    expect(theirs[0].params.notifications.taskIds).toEqual([]);
    expect(theirs.some((m) => m.method === "notifications/tasks")).toBe(false);
  });

  it("2026-07-28: refuses taskIds without the extension (-32021) and malformed ones (-32602)", async () => {
    const handler = createHandler(server());
    const missing = await handler.fetch(listen(["t"], {}));
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { extensions: { [EXT]: {} } } },
    });
    const malformed = await handler.fetch(listen("t", { extensions: { [EXT]: {} } }));
    expect((await malformed.json()).error.code).toBe(-32602);
    const tooMany = await handler.fetch(
      listen(
        Array.from({ length: 101 }, (_, i) => `t${i}`),
        { extensions: { [EXT]: {} } },
      ),
    );
    expect((await tooMany.json()).error.code).toBe(-32602);
  });

  it("2025-11-25: notifications/tasks/status on the session's GET stream", async () => {
    const handler = createHandler(server(), { maxStreamMs: 700 });
    const session = await legacySession(handler);
    const get = handler.fetch(
      new Request(URL_, {
        method: "GET",
        headers: {
          accept: "text/event-stream",
          "mcp-session-id": session.sessionId,
          "mcp-protocol-version": "2025-11-25",
        },
      }),
    );
    await new Promise((r) => setTimeout(r, 50));
    const created = await session.call("tools/call", { name: "quick", arguments: {}, task: {} });
    const { taskId } = created.final.result.task;
    const statuses = events(await (await get).text()).filter(
      (m) => m.method === "notifications/tasks/status",
    );
    expect(statuses.map((m) => m.params.status)).toContain("completed");
    expect(statuses[0].params).toMatchObject({ taskId, pollInterval: 50 });
    expect(statuses[0].params).not.toHaveProperty("result");
  });
});
