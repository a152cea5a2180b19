/**
 * Requests of a legacy session: a GET or DELETE naming a protocol version the era does not speak
 * is refused as a POST is (400, the session untouched), a call's stream ids can never be taken for
 * the standalone stream's (`get-…`) when resumed, and a client reply of the wrong shape is no
 * answer to the server's request.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer } from "../src/index.ts";
import { legacySession, sseMessages, URL_ } from "./_client.ts";

const headers = (session: string, version: string) => ({
  accept: "text/event-stream",
  "mcp-session-id": session,
  "mcp-protocol-version": version,
});

describe("a legacy session's requests", () => {
  it("refuses a GET or DELETE with an unsupported MCP-Protocol-Version (400), and the DELETE closes nothing", async () => {
    const handler = createHandler(new McpServer({ name: "v", version: "1" }));
    const session = await legacySession(handler);
    for (const method of ["GET", "DELETE"]) {
      const response = await handler.fetch(
        new Request(URL_, { method, headers: headers(session.sessionId, "1999-01-01") }),
      );
      expect(response.status, method).toBe(400);
      expect((await response.json()).error.data).toStrictEqual({
        supported: ["2025-11-25"],
        requested: "1999-01-01",
      });
    }
    expect((await session.call("ping")).status).toBe(200);
    const deleted = await handler.fetch(
      new Request(URL_, { method: "DELETE", headers: headers(session.sessionId, "2025-06-18") }),
    );
    expect(deleted.status).toBe(200);
  });

  it("gives a call's stream ids a prefix of their own (`r-`), never the standalone stream's `get-`", async () => {
    const server = new McpServer({ name: "v", version: "1" });
    addTool(server, "chatty", {}, async (_args, ctx) => {
      await ctx.log("info", "working");
      return "done";
    });
    const handler = createHandler(server, { keepAliveMs: 0 });
    const session = await legacySession(handler);
    const text = await (
      await session.send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "chatty" } })
    ).text();
    const ids = [...text.matchAll(/^id: (.*)$/gm)].map((m) => m[1] as string);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    for (const id of ids) expect(id).toMatch(/^r-[\w-]{16}\//);
  });

  it("fails the question when the client's reply is not a result of that request (-32602), as it would not answer it", async () => {
    const server = new McpServer({ name: "v", version: "1" });
    addTool(server, "ask", {}, async (_args, ctx) => {
      const answer = await ctx.elicit({
        message: "name?",
        requestedSchema: { type: "object", properties: {} },
      });
      return JSON.stringify(answer);
    });
    const handler = createHandler(server, { keepAliveMs: 0 });
    const session = await legacySession(handler, "2025-11-25", { elicitation: {} });
    const call = await session.send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "ask" } });
    const messages = sseMessages(call);
    const asked = (await messages.next()).value as { id: string; method: string };
    expect(asked.method).toBe("elicitation/create");
    const reply = await session.send({ jsonrpc: "2.0", id: asked.id, result: { bogus: 1 } });
    expect(reply.status).toBe(202);
    const final = (await messages.next()).value as { id: number; error?: { code: number; message: string } };
    expect(final.id).toBe(2);
    expect(final.error?.code).toBe(-32602);
    expect(final.error?.message).toMatch(/reply to elicitation\/create is not a result/);
  });
});
