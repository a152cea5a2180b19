/**
 * Middleware or a handler that throws a value that cannot even be inspected (a Proxy whose traps
 * throw): looking at what was thrown must never throw in turn. The request is answered -32603 and
 * the value goes to `onError`; nothing is left unhandled.
 */
import { describe, expect, it } from "vitest";
import { addResource, addTool, createHandler, ErrorCode, McpServer } from "../src/index.ts";
import { legacySession } from "./_client.ts";
import { answerOnce, settle, unhandledRejections } from "./_unhandled.ts";

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
        kind === "async"
          ? async () => {
              throw thrown;
            }
          : () => {
              throw thrown;
            },
      );
      const { answer, reports } = await ask(s, era, method, params);
      expect(answer.final.error).toEqual(INTERNAL);
      // The value itself, or (where an era's own check of it threw first) what its trap threw.
      expect(reports.some((r) => r.where === method)).toBe(true);
      expect(unhandled).toEqual([]);
    });
  });

  it("from a tool: answered, reported", async () => {
    const s = new McpServer({ name: "t", version: "1" });
    addTool(s, "bad", {}, () => {
      throw trap();
    });
    const { answer, reports } = await ask(s, era, "tools/call", { name: "bad", arguments: {} });
    expect(answer.final.error).toEqual(INTERNAL);
    expect(reports.length).toBeGreaterThanOrEqual(1);
    expect(unhandled).toEqual([]);
  });

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
