/**
 * DNS rebinding against `serve()`: a page under a foreign name that resolves to 127.0.0.1 sends its
 * own `Host` (and, from a browser, its `Origin`). The Node adapter routes no host (`ctx.routedHosts`
 * stays unset), so the core's Host check refuses it with a 403 naming the Host and `allowedHosts`,
 * while the server's own address and `localhost` answer.
 */
import { addTool, createHandler, McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { sendAs } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExecutionContextLike, type Server, serve } from "../src/index.ts";

describe("serve(): DNS rebinding", () => {
  const errors: unknown[] = [];
  const seen: ExecutionContextLike[] = [];
  let server: Server;

  beforeAll(async () => {
    const mcp = new McpServer({ name: "rebinding", version: "1.0.0" });
    addTool(mcp, "add", { description: "Adds a and b" }, ({ a, b }) => String(Number(a) + Number(b)));
    const handler = createHandler(mcp, { onError: (e) => errors.push(e) });
    server = await serve(
      {
        fetch(request, env, ctx) {
          if (ctx) seen.push(ctx);
          return handler.fetch(request, env, ctx);
        },
      },
      { port: 0, hostname: "127.0.0.1", onError: () => {} },
    );
  });

  afterAll(async () => {
    await server?.close();
  });

  const addCall = () =>
    modernPost(`${server.url}/mcp`, "tools/call", { name: "add", arguments: { a: 2, b: 3 } });

  it("refuses a foreign Host with 403 naming it and allowedHosts, with and without its Origin", async () => {
    const evil = `evil.example.com:${server.port}`;
    for (const origin of [undefined, `http://${evil}`]) {
      const refused = await sendAs(server.port, addCall(), evil, origin);
      expect(refused.status, `Origin ${origin}`).toBe(403);
      const { error } = JSON.parse(refused.body) as { error: { message: string } };
      expect(error.message).toContain(JSON.stringify(evil));
      expect(error.message).toContain("allowedHosts");
    }
    // Logged once per refused value, not once per request.
    expect(errors.map(String).filter((e) => e.includes(evil))).toHaveLength(1);
  });

  it("answers 127.0.0.1:PORT and localhost:PORT, and routes no host", async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`]) {
      const ok = await sendAs(server.port, addCall(), host, `http://${host}`);
      expect(ok.status, host).toBe(200);
      expect(JSON.parse(ok.body)).toMatchObject({ result: { content: [{ text: "5" }] } });
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const ctx of seen) {
      expect(ctx.routedHosts).toBeUndefined();
      expect(ctx.multiInstance).toBeUndefined();
    }
  });
});
