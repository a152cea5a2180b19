/**
 * A family whose last definition went is still listed — an empty page, in both eras — since a
 * client told `list_changed` lists again; unmounting a child says so once per kind, as mounting
 * did; a prompt's required argument is given only by the client, never by Object.prototype; and a
 * tool's taskSupport is offered only where tasks are enabled.
 */
import { describe, expect, it } from "vitest";
import {
  addPrompt,
  addResource,
  addResourceTemplate,
  addTool,
  createHandler,
  enableTasks,
  McpServer,
  mount,
} from "../src/index.ts";
import { legacySession, modern } from "./_client.ts";

describe("emptied families", () => {
  it("answer their list methods with empty pages once the last definition is removed (both eras)", async () => {
    const server = new McpServer({ name: "e", version: "1" });
    const registrations = [
      addTool(server, "t", {}, () => "x"),
      addPrompt(server, "p", {}, () => ({ messages: [] })),
      addResource(server, "file:///r", { name: "r" }, () => ({ contents: [] })),
      addResourceTemplate(server, "file:///d/{id}", { name: "d" }, () => ({ contents: [] })),
    ];
    const handler = createHandler(server);
    const session = await legacySession(handler);
    for (const registration of registrations) registration.remove();
    const lists = {
      "tools/list": "tools",
      "prompts/list": "prompts",
      "resources/list": "resources",
      "resources/templates/list": "resourceTemplates",
    };
    for (const [method, key] of Object.entries(lists)) {
      const legacy = await session.call(method);
      expect(legacy.final.result, method).toStrictEqual({ [key]: [] });
      const current = await modern(handler, method);
      expect(current.status, method).toBe(200);
      expect(current.final.result[key], method).toStrictEqual([]);
    }
    // What the family no longer has is still not called: an unknown tool, as before.
    expect((await modern(handler, "tools/call", { name: "t", arguments: {} })).final.error?.code).toBe(
      -32601,
    );
  });

  it("a server that never had tools still has no tools/list (-32601)", async () => {
    const handler = createHandler(new McpServer({ name: "e", version: "1" }));
    expect((await modern(handler, "tools/list")).final.error?.code).toBe(-32601);
  });

  it("unmounting a child with 200 tools says list_changed once, as mounting did", () => {
    const parent = new McpServer({ name: "p", version: "1" });
    const child = new McpServer({ name: "c", version: "1" });
    for (let i = 0; i < 200; i++) addTool(child, `t${i}`, {}, () => "x");
    const events: string[] = [];
    parent.subscribe((event) => events.push(event.type));
    const mounted = mount(parent, "c", child);
    expect(events).toStrictEqual(["list_changed"]);
    mounted.remove();
    expect(events).toStrictEqual(["list_changed", "list_changed"]);
  });

  it("a required prompt argument named after an Object.prototype member is missing unless the client gives it", async () => {
    const server = new McpServer({ name: "e", version: "1" });
    addPrompt(
      server,
      "p",
      {
        arguments: [
          { name: "toString", required: true },
          { name: "constructor", required: true },
        ],
      },
      () => ({ messages: [] }),
    );
    const answer = await modern(createHandler(server), "prompts/get", { name: "p", arguments: {} });
    expect(answer.final.error?.code).toBe(-32602);
    expect(answer.final.error?.message).toBe(
      "Invalid params: missing required arguments /arguments/toString, /arguments/constructor",
    );
  });
});

describe("a tool's taskSupport", () => {
  it("is listed (execution) only where tasks are enabled: without enableTasks the tool runs as a plain call", async () => {
    const server = new McpServer({ name: "e", version: "1" });
    addTool(server, "r", { taskSupport: "required" }, () => "ran");
    const session = await legacySession(createHandler(server));
    const listed = await session.call("tools/list");
    expect(listed.final.result.tools[0]).not.toHaveProperty("execution");
    const withTasks = new McpServer({ name: "e", version: "1" });
    enableTasks(withTasks);
    addTool(withTasks, "r", { taskSupport: "required" }, () => "ran");
    const tasksSession = await legacySession(createHandler(withTasks));
    const offered = await tasksSession.call("tools/list");
    expect(offered.final.result.tools[0].execution).toStrictEqual({ taskSupport: "required" });
  });
});
