/**
 * `mount(server, prefix, child)` in both eras: naming of all four kinds, calls reaching the child's
 * handlers with the child's arguments and URIs, middleware order, completion through a mount.
 */
import { describe, expect, it } from "vitest";
import { addPrompt, addTool, McpServer, type Middleware, mount } from "../src/index.ts";
import { ERAS, request } from "./_eras.ts";
import { mounted, names, seen, uris } from "./_mount.ts";

describe.each(ERAS)("mount (%s era)", (era) => {
  it("names every kind with the prefix", async () => {
    const { parent } = mounted();
    expect(names((await request(parent, era, "tools/list")).final.result.tools)).toEqual(["calc_add"]);
    expect(names((await request(parent, era, "prompts/list")).final.result.prompts)).toEqual(["calc_greet"]);
    expect(uris((await request(parent, era, "resources/list")).final.result.resources)).toEqual([
      "note://calc/a",
      "calc+urn:x",
      "note://calc/7",
    ]);
    const templates = (await request(parent, era, "resources/templates/list")).final.result.resourceTemplates;
    expect(templates.map((t: { uriTemplate: string }) => t.uriTemplate)).toEqual(["note://calc/{id}"]);
  });

  it("calls reach the child's handlers with the child's own arguments and URIs", async () => {
    const { parent } = mounted();
    seen.length = 0;
    const sum = await request(parent, era, "tools/call", { name: "calc_add", arguments: { a: 1, b: 2 } });
    expect(sum.final.result.content[0].text).toBe("3");
    const greet = await request(parent, era, "prompts/get", {
      name: "calc_greet",
      arguments: { who: "Ada" },
    });
    expect(greet.final.result.messages[0].content.text).toBe("hi Ada");
    const a = await request(parent, era, "resources/read", { uri: "note://calc/a" });
    expect(a.final.result.contents).toEqual([{ uri: "note://calc/a", text: "A" }]);
    const note = await request(parent, era, "resources/read", { uri: "note://calc/42" });
    expect(note.final.result.contents).toEqual([{ uri: "note://calc/42", text: "note 42" }]);
    const urn = await request(parent, era, "resources/read", { uri: "calc+urn:x" });
    expect(urn.final.result.contents).toEqual([{ uri: "calc+urn:x", text: "X" }]);
    expect(seen).toEqual([{ a: 1, b: 2 }, { who: "Ada" }, "note://a", ["note://42", { id: "42" }]]);
    // The unprefixed names are not served by the parent.
    const bare = await request(parent, era, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
    expect(bare.final.error.message).toBe("Unknown tool: add");
  });

  it("runs the parent's middleware, then the child's, then the definition's, around the handler", async () => {
    const trace: string[] = [];
    const mark =
      (name: string): Middleware =>
      async (call, next) => {
        trace.push(`${name}>${call.method === "tools/call" ? call.target : call.method}`);
        const result = await next();
        trace.push(`<${name}`);
        return result;
      };
    const parent = new McpServer({ name: "app", version: "1.0.0" });
    const child = new McpServer({ name: "calc", version: "1.0.0" });
    addTool(child, "add", { use: [mark("tool")] }, () => {
      trace.push("handler");
      return "ok";
    });
    child.use(mark("child1"));
    parent.use(mark("parent"));
    mount(parent, "calc", child);
    child.use(mark("child2")); // added after mounting: applies too
    await request(parent, era, "tools/call", { name: "calc_add", arguments: {} });
    // A legacy session's initialize passes the parent's middleware only: the child's wrap its definitions.
    const opened = era === "legacy" ? ["parent>initialize", "<parent"] : [];
    expect(trace).toEqual([
      ...opened,
      "parent>calc_add",
      "child1>calc_add",
      "child2>calc_add",
      "tool>calc_add",
      "handler",
      "<tool",
      "<child2",
      "<child1",
      "<parent",
    ]);
    trace.length = 0;
    await request(parent, era, "tools/list");
    expect(trace).toEqual([...opened, "parent>tools/list", "<parent"]); // the child's wrap its own definitions only
  });

  it("completes a mounted prompt's arguments", async () => {
    const parent = new McpServer({ name: "app", version: "1.0.0" });
    const child = new McpServer({ name: "c", version: "1.0.0" });
    addPrompt(child, "p", { arguments: [{ name: "tone" }], complete: { tone: () => ["terse"] } }, () => ({
      messages: [],
    }));
    mount(parent, "c", child);
    const answer = await request(parent, era, "completion/complete", {
      ref: { type: "ref/prompt", name: "c_p" },
      argument: { name: "tone", value: "" },
    });
    expect(answer.final.result.completion.values).toEqual(["terse"]);
  });
});
