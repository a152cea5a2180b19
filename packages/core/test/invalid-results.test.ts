/**
 * Middleware, resources and prompts that return something that is not a result: the client gets a
 * spec-valid answer (-32603 "Internal error", never `result: 7` or no result at all) and `onError`
 * hears which method, resource or prompt returned what.
 */
import { describe, expect, it } from "vitest";
import {
  addPrompt,
  addResource,
  addResourceTemplate,
  addTool,
  createHandler,
  ErrorCode,
  McpServer,
  type Middleware,
} from "../src/index.ts";
import { legacySession, modern, pastInitialize } from "./_client.ts";
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

const GOOD_ITEM = { uri: "r://bad", text: "fine" };

/** Contents items the MCP schema does not allow, and what the report says of each. */
const badItems: [string, unknown, string][] = [
  ["a number", 42, "must be an object"],
  ["null", null, "must be an object"],
  ["an array", [], "must be an object"],
  ["no uri", { text: "x" }, "needs a string uri"],
  ["a number uri", { uri: 1, text: "x" }, "needs a string uri"],
  ["neither text nor blob", { uri: "a://b" }, "needs a string text or blob"],
  ["a number text", { uri: "a://b", text: 5 }, "text must be a string"],
  ["a number blob", { uri: "a://b", blob: 5 }, "blob must be a string"],
  ["a number mimeType", { uri: "a://b", text: "x", mimeType: 5 }, "mimeType must be a string"],
  ["a string _meta", { uri: "a://b", text: "x", _meta: "m" }, "_meta must be an object"],
  ["a null _meta", { uri: "a://b", text: "x", _meta: null }, "_meta must be an object"],
];

describe.each(["modern", "legacy"] as const)("invalid results (%s era)", (era) => {
  describe.each([
    ["tools/call", { name: "ok", arguments: {} }],
    ["tools/list", {}],
  ] as const)("server middleware, %s", (method, params) => {
    it.each(returned)("returning %s: -32603, reported naming the method", async (_label, value) => {
      const s = new McpServer({ name: "t", version: "1" });
      addTool(s, "ok", {}, () => "fine");
      s.use(pastInitialize((async () => value) as unknown as Middleware));
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

  describe.each([
    ["returned as an array", (contents: unknown[]) => contents],
    ["returned as { contents }", (contents: unknown[]) => ({ contents })],
  ] as const)(
    "a resource's contents item that is not TextResourceContents or BlobResourceContents, %s",
    (_shape, wrap) => {
      it.each(badItems)(
        "%s: -32603, reported naming the resource and the item",
        async (_label, item, why) => {
          const s = new McpServer({ name: "t", version: "1" });
          addResource(s, "r://bad", { name: "bad" }, () => wrap([GOOD_ITEM, item]) as never);
          const { answer, reports } = await ask(s, era, "resources/read", { uri: "r://bad" });
          expect(answer.final.error).toEqual(INTERNAL);
          expect(answer.final.result).toBeUndefined();
          expect(reports).toHaveLength(1);
          expect((reports[0]?.error as { code?: unknown } | undefined)?.code).toBe("invalid_result");
          expect(messageOf(reports[0]?.error)).toContain("r://bad");
          expect(messageOf(reports[0]?.error)).toContain(`contents[1] ${why}`);
        },
      );
    },
  );

  it("a resource template's reader returning an invalid item: -32603, reported", async () => {
    const s = new McpServer({ name: "t", version: "1" });
    addResourceTemplate(s, "t://{id}", { name: "tpl" }, (uri) => [{ uri, text: 5 }] as never);
    const { answer, reports } = await ask(s, era, "resources/read", { uri: "t://7" });
    expect(answer.final.error).toEqual(INTERNAL);
    expect(reports).toHaveLength(1);
    expect(messageOf(reports[0]?.error)).toContain("t://7");
    expect(messageOf(reports[0]?.error)).toContain("contents[0] text must be a string");
  });

  it("valid contents items pass: text, blob, with mimeType and _meta, and empty contents", async () => {
    const s = new McpServer({ name: "t", version: "1" });
    const items = [
      { uri: "r://ok", text: "" },
      { uri: "r://ok", blob: "aGk=", mimeType: "text/plain", _meta: { k: 1 } },
      { uri: "r://ok", text: "hi", mimeType: "text/plain", _meta: {} },
    ];
    addResource(s, "r://ok", { name: "ok" }, () => items);
    addResource(s, "r://none", { name: "none" }, () => ({ contents: [] }));
    const read = await ask(s, era, "resources/read", { uri: "r://ok" });
    expect(read.answer.final.result.contents).toEqual(items);
    const none = await ask(s, era, "resources/read", { uri: "r://none" });
    expect(none.answer.final.result.contents).toEqual([]);
    expect([...read.reports, ...none.reports]).toEqual([]);
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

describe("what a modern result may claim", () => {
  it("a resultType of 'task' only from tools/call; cache hints only as the spec allows them", async () => {
    const server = new McpServer({ name: "r", version: "1" });
    addResource(server, "res://a", { name: "a" }, () => ({
      contents: [{ uri: "res://a", text: "hi" }],
      resultType: "task",
      ttlMs: -5,
      cacheScope: "everyone",
    }));
    addPrompt(server, "p", {}, () => ({ messages: [], resultType: "task" }) as never);
    addResource(server, "res://kept", { name: "kept" }, () => ({
      contents: [{ uri: "res://kept", text: "hi" }],
      ttlMs: 60_000,
      cacheScope: "public",
    }));
    const handler = createHandler(server, { cache: { ttlMs: 5, scope: "private" } });
    const read = (await modern(handler, "resources/read", { uri: "res://a" })).final.result;
    expect(read).toMatchObject({ resultType: "complete", ttlMs: 5, cacheScope: "private" });
    const prompt = (await modern(handler, "prompts/get", { name: "p" })).final.result;
    expect(prompt.resultType).toBe("complete");
    const kept = (await modern(handler, "resources/read", { uri: "res://kept" })).final.result;
    expect(kept).toMatchObject({ resultType: "complete", ttlMs: 60_000, cacheScope: "public" });
  });
});

describe("a tool result the protocol cannot carry", () => {
  const returning = (result: unknown) => {
    const server = new McpServer({ name: "r", version: "1" });
    addTool(server, "t", {}, () => result as never);
    const reported: unknown[] = [];
    return { handler: createHandler(server, { onError: (e) => reported.push(e) }), reported };
  };

  it("is refused (an error result, reported): content items that are not blocks, a non-boolean isError", async () => {
    for (const result of [
      { content: [{ type: "bogus" }] },
      { content: ["plain string"] },
      { content: [{ type: "text" }] },
      { content: [{ type: "image", data: "x" }] },
      { content: [{ type: "text", text: "x" }], isError: "yes" },
    ]) {
      const { handler, reported } = returning(result);
      const answer = await modern(handler, "tools/call", { name: "t", arguments: {} });
      expect(answer.final.result, JSON.stringify(result)).toMatchObject({
        isError: true,
        content: [{ type: "text", text: "Tool t returned an invalid result" }],
      });
      expect(String(reported[0])).toMatch(/returned an invalid result: /);
    }
  });

  it("takes any JSON structuredContent at 2026-07-28, only an object in a 2025-era session", async () => {
    const result = { content: [{ type: "text", text: "[1,2]" }], structuredContent: [1, 2] };
    const { handler, reported } = returning(result);
    const current = await modern(handler, "tools/call", { name: "t", arguments: {} });
    expect(current.final.result.structuredContent).toStrictEqual([1, 2]);
    const session = await legacySession(handler);
    const legacy = await session.call("tools/call", { name: "t", arguments: {} });
    expect(legacy.final.result).toMatchObject({ isError: true });
    expect(String(reported[0])).toMatch(/structuredContent is not an object/);
  });

  it("keeps every kind of content block as it is", async () => {
    const content = [
      { type: "text", text: "t" },
      { type: "image", data: "aGk=", mimeType: "image/png" },
      { type: "audio", data: "aGk=", mimeType: "audio/wav" },
      { type: "resource_link", uri: "file:///a", name: "a" },
      { type: "resource", resource: { uri: "file:///b", text: "b" } },
    ];
    const { handler } = returning({ content });
    const answer = await modern(handler, "tools/call", { name: "t", arguments: {} });
    expect(answer.final.result.content).toStrictEqual(content);
  });
});
