/**
 * `mount(server, prefix, child)` over time and at its edges: live additions and removals, forwarded
 * resource updates (also on a legacy GET stream), unmounting, nesting, tag filters, misuse.
 */
import { describe, expect, it } from "vitest";
import {
  addResource,
  addResourceTemplate,
  addTool,
  createHandler,
  McpServer,
  type Middleware,
  mount,
  PorticoError,
  type ServerEvent,
} from "../src/index.ts";
import { legacySession, sseMessages, URL_ } from "./_client.ts";
import { request } from "./_eras.ts";
import { calc, codeOf, mounted } from "./_mount.ts";

describe("mount, live", () => {
  it("follows the child's additions and removals, with list_changed on the parent", () => {
    const { parent, child } = mounted();
    const events: ServerEvent[] = [];
    parent.subscribe((e) => events.push(e));
    const mul = addTool(child, "mul", {}, () => "");
    const doc = addResource(child, "doc://d", { name: "d" }, (uri) => [{ uri, text: "" }]);
    expect([...parent.registry("tools").keys()]).toEqual(["calc_add", "calc_mul"]);
    expect(parent.registry("resources").has("doc://calc/d")).toBe(true);
    mul.remove();
    doc.remove();
    expect([...parent.registry("tools").keys()]).toEqual(["calc_add"]);
    expect(parent.registry("resources").has("doc://calc/d")).toBe(false);
    expect(events).toEqual([
      { type: "list_changed", kind: "tools" },
      { type: "list_changed", kind: "resources" },
      { type: "list_changed", kind: "tools" },
      { type: "list_changed", kind: "resources" },
    ]);
  });

  it("keeps the rest of a URI with an empty authority as it is", async () => {
    const parent = new McpServer({ name: "app", version: "1.0.0" });
    const child = new McpServer({ name: "c", version: "1.0.0" });
    const read: string[] = [];
    addResource(child, "file:///etc/x", { name: "x" }, (uri) => {
      read.push(uri);
      return [{ uri, text: "x" }];
    });
    mount(parent, "c", child);
    const answer = await request(parent, "legacy", "resources/read", { uri: "file://c//etc/x" });
    expect(answer.final.result.contents).toEqual([{ uri: "file://c//etc/x", text: "x" }]);
    expect(read).toEqual(["file:///etc/x"]);
  });

  it("serves a family the parent did not have once the child adds it", async () => {
    const parent = new McpServer({ name: "app", version: "1.0.0" });
    const child = new McpServer({ name: "c", version: "1.0.0" });
    mount(parent, "c", child);
    addTool(child, "t", {}, () => "late");
    const answer = await request(parent, "modern", "tools/call", { name: "c_t", arguments: {} });
    expect(answer.final.result.content[0].text).toBe("late");
  });

  it("forwards the child's resource updates under the prefixed URI, for mounted resources only", () => {
    const { parent, child } = mounted();
    const events: ServerEvent[] = [];
    parent.subscribe((e) => events.push(e));
    child.resourceUpdated("note://a");
    child.resourceUpdated("note://9");
    child.resourceUpdated("other://z");
    expect(events).toEqual([
      { type: "resource_updated", uri: "note://calc/a" },
      { type: "resource_updated", uri: "note://calc/9" },
    ]);
  });

  it("unmounts: the parent loses the child's definitions and stops following it", () => {
    const parent = new McpServer({ name: "app", version: "1.0.0" });
    const child = calc();
    const registration = mount(parent, "calc", child);
    const events: ServerEvent[] = [];
    parent.subscribe((e) => events.push(e));
    registration.remove();
    for (const kind of ["tools", "prompts", "resources", "templates"])
      expect(parent.registry(kind).size).toBe(0);
    // one list_changed per kind removed (tools, prompts, resources with templates), not per definition
    expect(events.map((e) => (e.type === "list_changed" ? e.kind : e.type))).toStrictEqual([
      "tools",
      "prompts",
      "resources",
    ]);
    addTool(child, "mul", {}, () => "");
    child.resourceUpdated("note://a");
    expect(events.length).toBe(3);
    expect(parent.registry("tools").size).toBe(0);
    registration.remove(); // again: nothing
  });

  it("nests: a grandchild's calls run the middleware of every level, outermost first", async () => {
    const trace: string[] = [];
    const mark =
      (name: string): Middleware =>
      (_call, next) => {
        trace.push(name);
        return next();
      };
    const top = new McpServer({ name: "top", version: "1" }).use(mark("top"));
    const mid = new McpServer({ name: "mid", version: "1" }).use(mark("mid"));
    const leaf = new McpServer({ name: "leaf", version: "1" }).use(mark("leaf"));
    addTool(leaf, "t", {}, () => "leaf");
    mount(mid, "b", leaf);
    mount(top, "a", mid);
    const answer = await request(top, "modern", "tools/call", { name: "a_b_t", arguments: {} });
    expect(answer.final.result.content[0].text).toBe("leaf");
    expect(trace).toEqual(["top", "mid", "leaf"]);
  });
});

describe("mount, on the wire", () => {
  it("a legacy GET stream hears the child's list changes and updates of a subscribed mounted resource", async () => {
    const { parent, child } = mounted();
    const handler = createHandler(parent, { onError: () => {} });
    try {
      const session = await legacySession(handler);
      await session.call("resources/subscribe", { uri: "note://calc/5" });
      const stream = await handler.fetch(
        new Request(URL_, {
          headers: {
            accept: "text/event-stream",
            "mcp-session-id": session.sessionId,
            "mcp-protocol-version": "2025-11-25",
          },
        }),
      );
      expect(stream.headers.get("content-type")).toContain("text/event-stream");
      const messages = sseMessages(stream);
      addTool(child, "late", {}, () => "");
      expect((await messages.next()).value?.method).toBe("notifications/tools/list_changed");
      child.resourceUpdated("note://5");
      const updated = (await messages.next()).value;
      expect(updated?.method).toBe("notifications/resources/updated");
      expect(updated?.params).toEqual({ uri: "note://calc/5" });
      await messages.return(undefined);
    } finally {
      handler.close();
    }
  });
});

describe("mount, tags", () => {
  it("mounts only what its tag filter and the child's own exposure let through", () => {
    const parent = new McpServer({ name: "app", version: "1.0.0", tags: { exclude: ["admin"] } });
    const child = new McpServer({ name: "c", version: "1.0.0", tags: { exclude: ["internal"] } });
    addTool(child, "pub", { tags: ["public"] }, () => "");
    addTool(child, "both", { tags: ["public", "admin"] }, () => "");
    addTool(child, "int", { tags: ["public", "internal"] }, () => "");
    addTool(child, "plain", {}, () => "");
    mount(parent, "c", child, { tags: { include: ["public"] } });
    // `both` is mounted but the parent's own filter hides it; `int` the child hides; `plain` the mount leaves out.
    expect([...parent.registry("tools").keys()]).toEqual(["c_pub"]);
    addTool(child, "late", { tags: ["public"] }, () => "");
    addTool(child, "late2", {}, () => "");
    expect([...parent.registry("tools").keys()]).toEqual(["c_pub", "c_late"]);
    expect(codeOf(() => mount(parent, "d", child, { tags: { include: [""] } }))).toBe("invalid_tags");
  });
});

describe("mount, misuse", () => {
  it("refuses a bad prefix, a self-mount and a prefixed tool name that breaks the rule", () => {
    const parent = new McpServer({ name: "app", version: "1.0.0" });
    expect(codeOf(() => mount(parent, "a b", calc()))).toBe("invalid_prefix");
    expect(codeOf(() => mount(parent, "", calc()))).toBe("invalid_prefix");
    expect(codeOf(() => mount(parent, "x".repeat(65), calc()))).toBe("invalid_prefix");
    expect(codeOf(() => mount(parent, "self", parent))).toBe("invalid_mount");
    const long = new McpServer({ name: "l", version: "1" });
    addTool(long, "t".repeat(120), {}, () => "");
    expect(codeOf(() => mount(parent, "prefix12", long))).toBe("invalid_name");
    expect(parent.registry("tools").size).toBe(0);
  });

  it("refuses a mount that closes a cycle, directly or through other mounts, and allows it once unmounted", () => {
    const a = new McpServer({ name: "a", version: "1" });
    const b = new McpServer({ name: "b", version: "1" });
    const c = new McpServer({ name: "c", version: "1" });
    addTool(c, "t", {}, () => "");
    addResource(c, "note://n", { name: "n" }, () => [{ uri: "note://n", text: "" }]);
    const ab = mount(a, "b", b);
    const bc = mount(b, "c", c);
    expect([...a.registry("tools").keys()]).toEqual(["b_c_t"]);
    expect(codeOf(() => mount(b, "a", a))).toBe("invalid_mount");
    expect(codeOf(() => mount(c, "a", a))).toBe("invalid_mount");
    expect(() => mount(c, "a", a)).toThrow(/a mount cycle/);
    // Nothing of the refused mounts stayed: the registries are as before.
    expect([...c.registry("tools").keys()]).toEqual(["t"]);
    expect([...c.registry("resources").keys()]).toEqual(["note://n"]);
    // The same child twice under two prefixes is not a cycle.
    const again = mount(a, "b2", b);
    expect([...a.registry("tools").keys()]).toEqual(["b_c_t", "b2_c_t"]);
    again.remove();
    ab.remove();
    bc.remove();
    // With the mounts gone, the other direction is a plain mount.
    const ca = mount(c, "a", a);
    expect([...c.registry("tools").keys()]).toEqual(["t"]);
    mount(a, "b", b).remove();
    ca.remove();
    expect(codeOf(() => mount(b, "c", c).remove())).toBe("no error");
  });

  it("a clash at mount throws duplicate and mounts nothing", () => {
    const parent = new McpServer({ name: "app", version: "1.0.0" });
    addResourceTemplate(parent, "note://calc/{id}", { name: "mine" }, (uri) => [{ uri, text: "" }]);
    const events: ServerEvent[] = [];
    parent.subscribe((e) => events.push(e));
    let error: unknown;
    try {
      mount(parent, "calc", calc());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PorticoError);
    expect((error as PorticoError).code).toBe("duplicate");
    expect((error as PorticoError).message).toMatch(
      /mount "calc": Resource template "note:\/\/calc\/\{id\}"/,
    );
    for (const kind of ["tools", "prompts", "resources"]) expect(parent.registry(kind).size).toBe(0);
    expect([...parent.registry("templates").keys()]).toEqual(["note://calc/{id}"]);
  });

  it("a later clash throws from the child's registration, which is undone", () => {
    const { parent, child } = mounted();
    addTool(parent, "calc_mul", {}, () => "parent's");
    expect(codeOf(() => addTool(child, "mul", {}, () => "child's"))).toBe("duplicate");
    expect(child.registry("tools").has("mul")).toBe(false);
    expect(parent.registry("tools").get("calc_mul")).toBeDefined();
    // A parent definition that clashes with a mounted one is refused as any duplicate.
    expect(codeOf(() => addTool(parent, "calc_add", {}, () => ""))).toBe("duplicate");
    addTool(child, "mul2", {}, () => "");
    expect(parent.registry("tools").has("calc_mul2")).toBe(true);
  });
});
