import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  addPrompt,
  addResource,
  addResourceTemplate,
  addTool,
  createHandler,
  McpServer,
  PorticoError,
  UriTemplate,
} from "../src/index.ts";

async function call(server: McpServer, method: string, params: Record<string, unknown> = {}) {
  const handler = createHandler(server);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": method,
  };
  const name = params.name ?? params.uri;
  if (typeof name === "string" && method !== "completion/complete") headers["mcp-name"] = name;
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  const res = await handler.fetch(
    new Request("http://127.0.0.1/mcp", {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: meta } }),
    }),
  );
  await handler.close();
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

function toolsOnly(): McpServer {
  const server = new McpServer({ name: "t", version: "1.0.0" });
  addTool(server, "add", { description: "Add", input: v.object({ a: v.number() }) }, ({ a }) => String(a));
  return server;
}

describe("registration functions", () => {
  it("a tools-only server has no completion method nor capability", async () => {
    const discover = await call(toolsOnly(), "server/discover");
    expect(discover.body.result.capabilities).not.toHaveProperty("completions");
    const complete = await call(toolsOnly(), "completion/complete", {
      ref: { type: "ref/prompt", name: "x" },
      argument: { name: "a", value: "" },
    });
    expect(complete.status).toBe(404);
    expect(complete.body.error.code).toBe(-32601);
    const read = await call(toolsOnly(), "resources/read", { uri: "x://y" });
    expect(read.body.error.code).toBe(-32601);
  });

  it("addPrompt serves prompts and their completions", async () => {
    const server = toolsOnly();
    addPrompt(
      server,
      "greet",
      {
        arguments: [{ name: "who", required: true }],
        complete: { who: (value) => ["ann", "bob"].filter((n) => n.startsWith(value)) },
      },
      ({ who }) => ({ messages: [{ role: "user", content: { type: "text", text: `hi ${who}` } }] }),
    );
    expect((await call(server, "server/discover")).body.result.capabilities).toMatchObject({
      completions: {},
      prompts: { listChanged: true },
    });
    expect((await call(server, "prompts/list")).body.result.prompts).toEqual([
      { name: "greet", arguments: [{ name: "who", required: true }] },
    ]);
    const got = await call(server, "prompts/get", { name: "greet", arguments: { who: "ann" } });
    expect(got.body.result.messages[0].content.text).toBe("hi ann");
    const missing = await call(server, "prompts/get", { name: "greet" });
    expect(missing.body.error.message).toBe("Invalid params: missing required arguments /arguments/who");
    const complete = await call(server, "completion/complete", {
      ref: { type: "ref/prompt", name: "greet" },
      argument: { name: "who", value: "b" },
    });
    expect(complete.body.result.completion).toEqual({ values: ["bob"], total: 1, hasMore: false });
  });

  it("addResource and addResourceTemplate (string or UriTemplate) serve resources", async () => {
    const server = toolsOnly();
    addResource(server, "docs://readme", { name: "readme" }, (uri) => [{ uri, text: "hello" }]);
    addResourceTemplate(
      server,
      "notes://{id}",
      { name: "note", complete: { id: () => ["1", "2"] } },
      (uri, vars) => [{ uri, text: `note ${String(vars.id)}` }],
    );
    addResourceTemplate(server, new UriTemplate("users://{name}/avatar"), { name: "avatar" }, (uri) => [
      { uri, blob: "AA==" },
    ]);
    const templates = await call(server, "resources/templates/list");
    expect(
      templates.body.result.resourceTemplates.map((t: { uriTemplate: string }) => t.uriTemplate),
    ).toEqual(["notes://{id}", "users://{name}/avatar"]);
    expect((await call(server, "resources/read", { uri: "notes://7" })).body.result.contents).toEqual([
      { uri: "notes://7", text: "note 7" },
    ]);
    expect(
      (await call(server, "resources/read", { uri: "docs://readme" })).body.result.contents[0].text,
    ).toBe("hello");
    const unknown = await call(server, "resources/read", { uri: "nope://x" });
    expect(unknown.body.error).toMatchObject({ code: -32602, message: "Resource not found: nope://x" });
    const complete = await call(server, "completion/complete", {
      ref: { type: "ref/resource", uri: "notes://{id}" },
      argument: { name: "id", value: "" },
    });
    expect(complete.body.result.completion.values).toEqual(["1", "2"]);
  });

  it("refuses duplicates and malformed templates, and removal emits list_changed", () => {
    const server = toolsOnly();
    const events: unknown[] = [];
    server.subscribe((e) => events.push(e));
    const reg = addPrompt(server, "p", {}, () => ({ messages: [] }));
    expect(() => addPrompt(server, "p", {}, () => ({ messages: [] }))).toThrow(
      'Prompt "p" is already registered',
    );
    expect(() => addTool(server, "add", { description: "again" }, () => "")).toThrow(
      'Tool "add" is already registered',
    );
    addResource(server, "a://b", { name: "b" }, () => []);
    expect(() => addResource(server, "a://b", { name: "b" }, () => [])).toThrow(PorticoError);
    expect(() => addResourceTemplate(server, "bad://{", { name: "x" }, () => [])).toThrow(/template/i);
    reg.remove();
    reg.remove();
    expect(server.registry("prompts").size).toBe(0);
    expect(events).toEqual([
      { type: "list_changed", kind: "prompts" },
      { type: "list_changed", kind: "resources" },
      { type: "list_changed", kind: "prompts" },
    ]);
  });
});
