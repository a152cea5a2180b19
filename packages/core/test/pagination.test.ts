/**
 * List cursors: a page goes on after the item the page before ended with, wherever changes to the
 * list moved it — nothing still listed is skipped or repeated; a cursor whose item is gone, one of
 * another list, or one this server did not make is -32602 "Invalid cursor".
 */
import { describe, expect, it } from "vitest";
import { addPrompt, addTool, createHandler, McpServer, type Registration } from "../src/index.ts";
import { paginate } from "../src/methods/paginate.ts";
import { modern } from "./_client.ts";

function fiveTools() {
  const server = new McpServer({ name: "p", version: "1", pageSize: 2 });
  const tools = new Map<string, Registration>();
  for (const name of ["t1", "t2", "t3", "t4", "t5"])
    tools.set(
      name,
      addTool(server, name, {}, () => name),
    );
  addPrompt(server, "p1", {}, () => ({ messages: [] }));
  addPrompt(server, "p2", {}, () => ({ messages: [] }));
  addPrompt(server, "p3", {}, () => ({ messages: [] }));
  return { server, tools, handler: createHandler(server) };
}

const names = (answer: { final: Record<string, any> }) =>
  (answer.final.result.tools as { name: string }[]).map((t) => t.name);

describe("list cursors", () => {
  it("go on after the last item listed when an earlier one was removed (none skipped)", async () => {
    const { tools, handler } = fiveTools();
    const first = await modern(handler, "tools/list");
    expect(names(first)).toStrictEqual(["t1", "t2"]);
    tools.get("t1")?.remove();
    const second = await modern(handler, "tools/list", { cursor: first.final.result.nextCursor });
    expect(names(second)).toStrictEqual(["t3", "t4"]);
    const third = await modern(handler, "tools/list", { cursor: second.final.result.nextCursor });
    expect(names(third)).toStrictEqual(["t5"]);
    expect(third.final.result.nextCursor).toBeUndefined();
  });

  it("go on after the last item listed when one was added before it (none repeated)", async () => {
    const { server, handler } = fiveTools();
    const first = await modern(handler, "tools/list");
    // A tool added meanwhile goes to the end of the list: the page after t2 is as it was.
    addTool(server, "t0", {}, () => "t0");
    const second = await modern(handler, "tools/list", { cursor: first.final.result.nextCursor });
    expect(names(second)).toStrictEqual(["t3", "t4"]);
  });

  it("refuse a cursor whose item is gone, telling the client to list again", async () => {
    const { tools, handler } = fiveTools();
    const first = await modern(handler, "tools/list");
    tools.get("t2")?.remove();
    const stale = await modern(handler, "tools/list", { cursor: first.final.result.nextCursor });
    expect(stale.final.error.code).toBe(-32602);
    expect(stale.final.error.message).toMatch(/^Invalid cursor: the list changed/);
  });

  it("refuse a cursor of another list, or one this server did not make", async () => {
    const { handler } = fiveTools();
    const tools = await modern(handler, "tools/list");
    const prompts = await modern(handler, "prompts/list", { cursor: tools.final.result.nextCursor });
    expect(prompts.final.error).toMatchObject({ code: -32602, message: "Invalid cursor" });
    for (const cursor of ["nope", 7, btoa("o:1:zz:tools"), "a".repeat(200)]) {
      expect((await modern(handler, "tools/list", { cursor })).final.error?.code).toBe(-32602);
    }
  });

  it("still take an offset cursor of an earlier release", () => {
    const items = [{ name: "a" }, { name: "b" }, { name: "c" }];
    const old = btoa("o:2").replace(/=+$/, "");
    expect(paginate(items, old, 2).page).toStrictEqual([{ name: "c" }]);
  });
});
