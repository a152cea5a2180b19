/**
 * `server.batch(change)`: the list_changed events of what `change` registers and removes are
 * emitted once per kind at its end; a mount's refusal undoes the batch's additions of that kind.
 */
import { describe, expect, it } from "vitest";
import { addResource, addTool, McpServer, mount, PorticoError, type ServerEvent } from "../src/index.ts";
import { codeOf, mounted } from "./_mount.ts";

const read = (uri: string) => [{ uri, text: "" }];

function observed() {
  const server = new McpServer({ name: "s", version: "1.0.0" });
  const events: ServerEvent[] = [];
  server.subscribe((e) => events.push(e));
  return { server, events };
}

describe("McpServer.batch", () => {
  it("emits one list_changed per kind changed, at its end, and returns the result", () => {
    const { server, events } = observed();
    const old = addResource(server, "doc://old", { name: "old" }, read);
    events.length = 0;
    const result = server.batch(() => {
      for (let i = 0; i < 50; i++) addResource(server, `doc://${i}`, { name: `d${i}` }, read);
      addTool(server, "t", {}, () => "");
      old.remove();
      server.resourceUpdated("doc://1"); // never held back
      expect(events).toEqual([{ type: "resource_updated", uri: "doc://1" }]);
      return "done";
    });
    expect(result).toBe("done");
    expect(events).toEqual([
      { type: "resource_updated", uri: "doc://1" },
      { type: "list_changed", kind: "resources" },
      { type: "list_changed", kind: "tools" },
    ]);
    expect(server.registry("resources").size).toBe(50);
  });

  it("emits nothing when nothing changed; a nested batch emits with the outer one", () => {
    const { server, events } = observed();
    server.batch(() => {});
    expect(events).toEqual([]);
    server.batch(() => {
      server.batch(() => addTool(server, "a", {}, () => ""));
      expect(events).toEqual([]);
      addTool(server, "b", {}, () => "");
    });
    expect(events).toEqual([{ type: "list_changed", kind: "tools" }]);
    // After a batch, changes emit one by one again.
    addTool(server, "c", {}, () => "");
    expect(events).toHaveLength(2);
  });

  it("an error thrown by change is thrown after the events of what it did", () => {
    const { server, events } = observed();
    const error = new Error("midway");
    expect(() =>
      server.batch(() => {
        addTool(server, "a", {}, () => "");
        throw error;
      }),
    ).toThrow(error);
    expect(events).toEqual([{ type: "list_changed", kind: "tools" }]);
    expect(server.registry("tools").has("a")).toBe(true);
  });

  it("a mount's refusal undoes the batch's additions of that kind and throws duplicate", () => {
    const { parent, child } = mounted();
    addTool(parent, "calc_mul", {}, () => "parent's");
    const events: ServerEvent[] = [];
    parent.subscribe((e) => events.push(e));
    let error: unknown;
    try {
      child.batch(() => {
        addTool(child, "div", {}, () => "");
        addTool(child, "mul", {}, () => "child's"); // clashes with the parent's calc_mul
        addResource(child, "note://b", { name: "b" }, read);
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PorticoError);
    expect((error as PorticoError).code).toBe("duplicate");
    // Both tools of the batch are undone (in the child and the parent); the resource stays.
    expect([...child.registry("tools").keys()]).toEqual(["add"]);
    expect([...parent.registry("tools").keys()].sort()).toEqual(["calc_add", "calc_mul"]);
    expect(parent.registry("resources").has("note://calc/b")).toBe(true);
    expect(events.filter((e) => e.type === "list_changed" && e.kind === "resources")).toHaveLength(1);
    // The child still registers and mounts one at a time afterwards.
    expect(codeOf(() => addTool(child, "mul", {}, () => ""))).toBe("duplicate");
    addTool(child, "div", {}, () => "");
    expect(parent.registry("tools").has("calc_div")).toBe(true);
  });
});

describe("McpServer.batch through a mount", () => {
  it("a batch of the child is one list_changed of the parent, at mount and afterwards", () => {
    const child = new McpServer({ name: "child", version: "1.0.0" });
    for (let i = 0; i < 20; i++) addResource(child, `doc://a${i}`, { name: `a${i}` }, read);
    const { server: parent, events } = observed();
    mount(parent, "kid", child);
    expect(events.filter((e) => e.type === "list_changed")).toHaveLength(1);
    events.length = 0;
    child.batch(() => {
      for (let i = 0; i < 30; i++) addResource(child, `doc://b${i}`, { name: `b${i}` }, read);
    });
    expect(events).toEqual([{ type: "list_changed", kind: "resources" }]);
    expect(parent.registry("resources").size).toBe(50);
  });
});
