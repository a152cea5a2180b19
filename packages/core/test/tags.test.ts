/**
 * Tags: `ServerOptions.tags` leaves definitions out of lists and answers them as unknown, in both
 * eras; tag values and filters are checked at registration.
 */
import { describe, expect, it } from "vitest";
import {
  addPrompt,
  addResource,
  addResourceTemplate,
  addTool,
  McpServer,
  PorticoError,
  type ServerEvent,
} from "../src/index.ts";
import { ERAS, request } from "./_eras.ts";

function tagged(): McpServer {
  const server = new McpServer({
    name: "tags",
    version: "1.0.0",
    tags: { include: ["public"], exclude: ["beta"] },
  });
  addTool(server, "a", { tags: ["public"] }, () => "a");
  addTool(server, "b", { tags: ["public", "beta"] }, () => "b");
  addTool(server, "c", {}, () => "c");
  const prompt = () => ({ messages: [] });
  addPrompt(server, "p1", { tags: ["public"] }, prompt);
  addPrompt(server, "p2", { tags: ["other"] }, prompt);
  addResource(server, "res://r1", { name: "r1", tags: ["public"] }, (uri) => [{ uri, text: "r1" }]);
  addResource(server, "res://r2", { name: "r2", tags: ["beta"] }, (uri) => [{ uri, text: "r2" }]);
  addResourceTemplate(server, "notes://{id}", { name: "note", tags: ["public"] }, (uri) => [
    { uri, text: "n" },
  ]);
  addResourceTemplate(server, "hidden://{id}", { name: "hidden" }, (uri) => [{ uri, text: "h" }]);
  return server;
}

describe.each(ERAS)("tags (%s era)", (era) => {
  it("lists only what the server exposes", async () => {
    const server = tagged();
    const tools = await request(server, era, "tools/list");
    expect(tools.final.result.tools.map((t: { name: string }) => t.name)).toEqual(["a"]);
    const prompts = await request(server, era, "prompts/list");
    expect(prompts.final.result.prompts.map((p: { name: string }) => p.name)).toEqual(["p1"]);
    const resources = await request(server, era, "resources/list");
    expect(resources.final.result.resources.map((r: { uri: string }) => r.uri)).toEqual(["res://r1"]);
    const templates = await request(server, era, "resources/templates/list");
    expect(
      templates.final.result.resourceTemplates.map((t: { uriTemplate: string }) => t.uriTemplate),
    ).toEqual(["notes://{id}"]);
  });

  it("answers a hidden definition as it answers an unregistered one", async () => {
    const server = tagged();
    const unknownError = async (
      method: string,
      params: Record<string, unknown>,
      missing: Record<string, unknown>,
    ) => {
      const hidden = (await request(server, era, method, params)).final.error;
      const absent = (await request(server, era, method, missing)).final.error;
      expect(hidden).toBeDefined();
      expect(hidden.code).toBe(absent.code);
      return hidden;
    };
    expect((await unknownError("tools/call", { name: "b" }, { name: "zz" })).message).toBe("Unknown tool: b");
    expect((await unknownError("tools/call", { name: "c" }, { name: "zz" })).message).toBe("Unknown tool: c");
    expect((await unknownError("prompts/get", { name: "p2" }, { name: "zz" })).message).toBe(
      "Unknown prompt: p2",
    );
    const read = await unknownError("resources/read", { uri: "res://r2" }, { uri: "res://zz" });
    expect(read.message).toBe("Resource not found: res://r2");
    await unknownError("resources/read", { uri: "hidden://1" }, { uri: "res://zz" });
    // What is exposed still works.
    const a = await request(server, era, "tools/call", { name: "a", arguments: {} });
    expect(a.final.result.content[0].text).toBe("a");
    const note = await request(server, era, "resources/read", { uri: "notes://1" });
    expect(note.final.result.contents[0].text).toBe("n");
  });
});

describe("tags at registration", () => {
  it("refuses malformed tags and filters", () => {
    const server = new McpServer({ name: "t", version: "1" });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error instanceof PorticoError ? error.code : "not a PorticoError";
      }
      return "no error";
    };
    expect(code(() => addTool(server, "x", { tags: [""] }, () => ""))).toBe("invalid_tags");
    expect(code(() => addTool(server, "y", { tags: "x" as never }, () => ""))).toBe("invalid_tags");
    expect(code(() => addPrompt(server, "p", { tags: [1 as never] }, () => ({ messages: [] })))).toBe(
      "invalid_tags",
    );
    expect(code(() => new McpServer({ name: "t", version: "1", tags: { include: "a" as never } }))).toBe(
      "invalid_tags",
    );
    expect(code(() => new McpServer({ name: "t", version: "1", tags: { exclude: [""] } }))).toBe(
      "invalid_tags",
    );
    expect(server.registry("tools").size).toBe(0);
  });

  it("a hidden definition emits no list_changed, still takes its name, and is removable", () => {
    const server = new McpServer({ name: "t", version: "1", tags: { exclude: ["internal"] } });
    const events: ServerEvent[] = [];
    server.subscribe((e) => events.push(e));
    const hidden = addTool(server, "secret", { tags: ["internal"] }, () => "");
    expect(events).toEqual([]);
    expect(server.registry("tools").size).toBe(0);
    expect(() => addTool(server, "secret", {}, () => "")).toThrow(/already registered/);
    hidden.remove();
    addTool(server, "secret", {}, () => "");
    expect(events).toEqual([{ type: "list_changed", kind: "tools" }]);
    expect([...server.registry("tools").keys()]).toEqual(["secret"]);
  });

  it("an empty include exposes nothing; exclude wins over include", () => {
    const none = new McpServer({ name: "t", version: "1", tags: { include: [] } });
    addTool(none, "a", { tags: ["x"] }, () => "");
    expect(none.registry("tools").size).toBe(0);
    const both = new McpServer({ name: "t", version: "1", tags: { include: ["x"], exclude: ["x"] } });
    addTool(both, "a", { tags: ["x"] }, () => "");
    expect(both.registry("tools").size).toBe(0);
  });
});
