/**
 * Middleware, resources and prompts that return something that is not a result: the client gets a
 * spec-valid answer (-32603 "Internal error", never `result: 7` or no result at all) and `onError`
 * hears which method, resource or prompt returned what.
 */
import { describe, expect, it } from "vitest";
import {
  addPrompt,
  addResource,
  addTool,
  createHandler,
  ErrorCode,
  McpServer,
  type Middleware,
} from "../src/index.ts";
import { answerOnce } from "./_unhandled.ts";

const INTERNAL = { code: ErrorCode.InternalError, message: "Internal error" };

async function ask(s: McpServer, era: "modern" | "legacy", method: string, params = {}) {
  const reports: { error: unknown; where: string }[] = [];
  const handler = createHandler(s, { onError: (error, where) => reports.push({ error, where }) });
  return { answer: await answerOnce(handler, era, method, params), reports };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const returned: [string, unknown][] = [
  ["undefined", undefined],
  ["null", null],
  ["a number", 7],
  ["a string", "str"],
  ["an array", [1, 2]],
];

describe.each(["modern", "legacy"] as const)("invalid results (%s era)", (era) => {
  describe.each([
    ["tools/call", { name: "ok", arguments: {} }],
    ["tools/list", {}],
  ] as const)("server middleware, %s", (method, params) => {
    it.each(returned)("returning %s: -32603, reported naming the method", async (_label, value) => {
      const s = new McpServer({ name: "t", version: "1" });
      addTool(s, "ok", {}, () => "fine");
      s.use((async () => value) as unknown as Middleware);
      const { answer, reports } = await ask(s, era, method, params);
      expect(answer.final.error).toEqual(INTERNAL);
      expect(answer.final.result).toBeUndefined();
      expect(reports).toHaveLength(1);
      expect(messageOf(reports[0]?.error)).toContain(method);
    });
  });

  it("a tool's own middleware returning a number: -32603", async () => {
    const s = new McpServer({ name: "t", version: "1" });
    addTool(s, "ok", { use: [(async () => 7) as unknown as Middleware] }, () => "fine");
    const { answer, reports } = await ask(s, era, "tools/call", { name: "ok", arguments: {} });
    expect(answer.final.error).toEqual(INTERNAL);
    expect(reports).toHaveLength(1);
  });

  it.each([
    ["undefined", undefined],
    ["a number", 5],
    ["contents that are not an array", { contents: 5 }],
  ])("a resource returning %s: -32603, reported naming the resource", async (_label, value) => {
    const s = new McpServer({ name: "t", version: "1" });
    addResource(s, "r://bad", { name: "bad" }, () => value as never);
    const { answer, reports } = await ask(s, era, "resources/read", { uri: "r://bad" });
    expect(answer.final.error).toEqual(INTERNAL);
    expect(reports).toHaveLength(1);
    expect(messageOf(reports[0]?.error)).toContain("r://bad");
  });

  it.each([
    ["undefined", undefined],
    ["a number", 5],
    ["messages that are not an array", { messages: 5 }],
  ])("a prompt returning %s: -32603, reported naming the prompt", async (_label, value) => {
    const s = new McpServer({ name: "t", version: "1" });
    addPrompt(s, "bad", {}, () => value as never);
    const { answer, reports } = await ask(s, era, "prompts/get", { name: "bad" });
    expect(answer.final.error).toEqual(INTERNAL);
    expect(reports).toHaveLength(1);
    expect(messageOf(reports[0]?.error)).toContain("bad");
  });

  it("valid results still pass: middleware replacing the result, resources and prompts", async () => {
    const s = new McpServer({ name: "t", version: "1" });
    addTool(s, "hidden", {}, () => "fine");
    addResource(s, "r://ok", { name: "ok" }, () => [{ uri: "r://ok", text: "hi" }]);
    addResource(s, "r://obj", { name: "obj" }, () => ({ contents: [{ uri: "r://obj", text: "hi" }] }));
    addPrompt(s, "ok", {}, () => ({ messages: [{ role: "user", content: { type: "text", text: "hi" } }] }));
    s.use(async (call, next) => (call.method === "tools/list" ? { tools: [] } : next()));
    const list = await ask(s, era, "tools/list");
    expect(list.answer.final.result.tools).toEqual([]);
    const read = await ask(s, era, "resources/read", { uri: "r://ok" });
    expect(read.answer.final.result.contents[0].text).toBe("hi");
    const obj = await ask(s, era, "resources/read", { uri: "r://obj" });
    expect(obj.answer.final.result.contents[0].text).toBe("hi");
    const get = await ask(s, era, "prompts/get", { name: "ok" });
    expect(get.answer.final.result.messages[0].content.text).toBe("hi");
    expect([list, read, obj, get].flatMap((a) => a.reports)).toEqual([]);
  });
});
