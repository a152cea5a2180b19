/**
 * Middleware or a handler that throws a value that cannot even be inspected (a Proxy whose traps
 * throw): looking at what was thrown must never throw in turn. The request is answered -32603 and
 * the value goes to `onError`; nothing is left unhandled.
 */
import { describe, expect, it } from "vitest";
import {
  addResource,
  addTool,
  createHandler,
  ErrorCode,
  enableTasks,
  McpServer,
  type Middleware,
} from "../src/index.ts";
import { legacySession, modern, pastInitialize } from "./_client.ts";
import { answerOnce, settle, unhandledRejections, within } from "./_unhandled.ts";

const unhandled = unhandledRejections();

/** A value every inspection of which throws. */
const trap = () =>
  new Proxy(
    {},
    {
      get() {
        throw new Error("trap get");
      },
      getPrototypeOf() {
        throw new Error("trap proto");
      },
      has() {
        throw new Error("trap has");
      },
      ownKeys() {
        throw new Error("trap keys");
      },
    },
  );

const INTERNAL = { code: ErrorCode.InternalError, message: "Internal error" };

async function ask(
  s: McpServer,
  era: "modern" | "legacy",
  method: string,
  params: Record<string, unknown> = {},
) {
  const reports: { error: unknown; where: string }[] = [];
  const handler = createHandler(s, { onError: (error, where) => reports.push({ error, where }) });
  return { answer: await answerOnce(handler, era, method, params), reports };
}

describe.each(["modern", "legacy"] as const)("a thrown Proxy whose traps throw (%s era)", (era) => {
  describe.each([
    ["tools/call", { name: "ok", arguments: {} }],
    ["tools/list", {}],
  ] as const)("from middleware, %s", (method, params) => {
    it.each(["async", "sync"] as const)("answers -32603 and reports it (%s throw)", async (kind) => {
      const s = new McpServer({ name: "t", version: "1" });
      addTool(s, "ok", {}, () => "fine");
      const thrown = trap();
      s.use(
        pastInitialize(
          kind === "async"
            ? async () => {
                throw thrown;
              }
            : () => {
                throw thrown;
              },
        ),
      );
      const { answer, reports } = await ask(s, era, method, params);
      expect(answer.final.error).toEqual(INTERNAL);
      // The value itself, or (where an era's own check of it threw first) what its trap threw.
      expect(reports.some((r) => r.where === method)).toBe(true);
      expect(unhandled).toEqual([]);
    });
  });

  it.each(["async", "sync"] as const)(
    "from a tool (%s throw): a failed tool result, as for any error, and onError gets the value itself",
    async (kind) => {
      const s = new McpServer({ name: "t", version: "1" });
      const thrown = trap();
      addTool(
        s,
        "bad",
        {},
        kind === "async"
          ? async () => {
              throw thrown;
            }
          : () => {
              throw thrown;
            },
      );
      const { answer, reports } = await ask(s, era, "tools/call", { name: "bad", arguments: {} });
      expect(answer.final.error).toBeUndefined();
      expect(answer.final.result).toMatchObject({
        content: [{ type: "text", text: "Tool bad failed with an internal error" }],
        isError: true,
      });
      expect(reports).toHaveLength(1);
      // Compared by identity: vitest cannot print the Proxy.
      expect(reports[0]?.error === thrown).toBe(true);
      expect(reports[0]?.where).toBe("tool bad");
      expect(unhandled).toEqual([]);
    },
  );

  it.each([
    ["the server's middleware", "server"],
    ["the tool's own middleware", "tool"],
  ] as const)(
    "from %s around tools/call: -32603, and onError gets the value itself",
    async (_label, where) => {
      const s = new McpServer({ name: "t", version: "1" });
      const thrown = trap();
      const throwing: Middleware = async () => {
        throw thrown;
      };
      addTool(s, "ok", where === "tool" ? { use: [throwing] } : {}, () => "fine");
      if (where === "server") s.use(pastInitialize(throwing));
      const { answer, reports } = await ask(s, era, "tools/call", { name: "ok", arguments: {} });
      expect(answer.final.error).toEqual(INTERNAL);
      expect(reports).toHaveLength(1);
      // Compared by identity: vitest cannot print the Proxy.
      expect(reports[0]?.error === thrown).toBe(true);
      expect(unhandled).toEqual([]);
    },
  );

  it("from a resource: answered, reported", async () => {
    const s = new McpServer({ name: "t", version: "1" });
    addResource(s, "r://bad", { name: "bad" }, () => {
      throw trap();
    });
    const { answer, reports } = await ask(s, era, "resources/read", { uri: "r://bad" });
    expect(answer.final.error).toEqual(INTERNAL);
    expect(reports.some((r) => r.where === "resources/read")).toBe(true);
    expect(unhandled).toEqual([]);
  });
});

describe("a thrown Proxy in a legacy batch (2025-03-26)", () => {
  it("answers that item -32603 and the others as usual, not the whole batch 500", async () => {
    const s = new McpServer({ name: "t", version: "1" });
    addTool(s, "ok", {}, () => "fine");
    s.use(async (call, next) => {
      if (call.method === "tools/list") throw trap();
      return next();
    });
    const reports: unknown[] = [];
    const handler = createHandler(s, { onError: (error) => void reports.push(error) });
    try {
      const session = await legacySession(handler, "2025-03-26");
      const response = await session.send([
        { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "ok", arguments: {} } },
      ]);
      expect(response.status).toBe(200);
      const answers = (await response.json()) as Record<string, any>[];
      const byId = new Map(answers.map((a) => [a.id, a]));
      expect(byId.get(1)?.error).toStrictEqual(INTERNAL);
      expect(byId.get(2)?.result.content[0].text).toBe("fine");
      await settle();
      expect(reports.length).toBeGreaterThan(0);
      expect(unhandled).toStrictEqual([]);
    } finally {
      handler.close();
    }
  });
});

const EXT = "io.modelcontextprotocol/tasks";
const WITH_TASKS = { capabilities: { extensions: { [EXT]: {} } } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tasks server whose `mw` tool's own middleware throws `thrown`, and whose `handler` tool throws it. */
function taskServer(thrown: unknown) {
  const s = new McpServer({ name: "t", version: "1" });
  enableTasks(s, { pollIntervalMs: 20 });
  // Throws in the task's run (the call that starts the task goes through the tool's middleware too).
  const throwing: Middleware = async (call, next) => {
    if (!call.inTask) return next();
    throw thrown;
  };
  addTool(s, "mw", { taskSupport: "required", use: [throwing] }, () => "fine");
  addTool(s, "handler", { taskSupport: "required" }, async () => {
    throw thrown;
  });
  return s;
}

describe("a thrown Proxy in a task run", () => {
  it("2026-07-28: from the tool's middleware the task fails -32603, and onError gets the value itself", async () => {
    const thrown = trap();
    const reports: { error: unknown; where: string }[] = [];
    const handler = createHandler(taskServer(thrown), {
      onError: (error, where) => reports.push({ error, where }),
    });
    try {
      const created = await modern(handler, "tools/call", { name: "mw", arguments: {} }, WITH_TASKS);
      const taskId = created.final.result.taskId as string;
      const options = { ...WITH_TASKS, headers: { "mcp-name": taskId } };
      let task: Record<string, any> = {};
      for (let i = 0; i < 100 && !["failed", "completed"].includes(task.status); i++) {
        await sleep(10);
        task = (await modern(handler, "tasks/get", { taskId }, options)).final.result;
      }
      expect(task).toMatchObject({ status: "failed", error: INTERNAL });
      await settle();
      expect(reports).toHaveLength(1);
      // Compared by identity: vitest cannot print the Proxy.
      expect(reports[0]?.error === thrown).toBe(true);
      expect(reports[0]?.where).toBe(`task ${taskId}`);
      expect(unhandled).toEqual([]);
    } finally {
      handler.close();
    }
  });

  it.each([
    ["the tool's middleware", "mw", { error: INTERNAL }],
    [
      "the tool's handler",
      "handler",
      {
        result: {
          content: [{ type: "text", text: "Tool handler failed with an internal error" }],
          isError: true,
        },
      },
    ],
  ] as const)(
    "2025-11-25: from %s, tasks/result answers as for any error, and onError gets the value itself",
    async (_label, tool, expected) => {
      const thrown = trap();
      const reports: { error: unknown; where: string }[] = [];
      const handler = createHandler(taskServer(thrown), {
        onError: (error, where) => reports.push({ error, where }),
      });
      try {
        const session = await legacySession(handler);
        const created = await session.call("tools/call", {
          name: tool,
          arguments: {},
          task: { ttl: 60_000 },
        });
        const taskId = created.final.result.task.taskId as string;
        const result = await within(session.call("tasks/result", { taskId }));
        expect(result.final).toMatchObject(expected);
        await settle();
        expect(reports).toHaveLength(1);
        // Compared by identity: vitest cannot print the Proxy.
        expect(reports[0]?.error === thrown).toBe(true);
        expect(unhandled).toEqual([]);
      } finally {
        handler.close();
      }
    },
  );
});
