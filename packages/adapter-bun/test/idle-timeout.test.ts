/**
 * Bun's idle timeout in a real Bun (fixtures/idle.ts). `Bun.serve` closes a connection that has
 * been idle for `idleTimeout` seconds, 10 by default, and "a quiet SSE stream counts as idle"
 * (https://bun.sh/guides/http/sse, which disables it per request with `server.timeout(req, 0)`).
 * Portico's SSE keep-alives come every 15 s by default and a long tool call answered with JSON
 * sends nothing until it is done, so `handle()` must keep such connections open.
 */
import { connect } from "node:net";
import { modernPost } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { startBun } from "./_bun-process.ts";

describe("handle() under Bun.serve's idle timeout (1 s here)", () => {
  it("keeps a quiet SSE stream and a slow JSON answer open past it", async () => {
    const bun = await startBun("idle.ts");
    try {
      const [stream, call] = await Promise.all([
        fetch(`${bun.url}/quiet`).then((response) => response.text()),
        fetch(modernPost(`${bun.url}/mcp`, "tools/call", { name: "slow", arguments: {} })).then((response) =>
          response.json(),
        ),
      ]);
      expect(stream).toBe("data: first\n\ndata: second\n\n");
      expect(call).toMatchObject({ result: { content: [{ type: "text", text: "slow done" }] } });
    } finally {
      await bun.stop();
    }
  });

  it("still closes a keep-alive connection left idle after a JSON answer", async () => {
    const bun = await startBun("idle.ts");
    try {
      const { port } = new URL(bun.url);
      const socket = connect(Number(port), "127.0.0.1");
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk;
      });
      socket.write("GET /plain HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
      let guard = false;
      const deadline = setTimeout(() => {
        guard = true;
        socket.destroy();
      }, 8_000);
      await closed;
      clearTimeout(deadline);
      expect(text).toMatch(/^HTTP\/1\.1 200/);
      expect(text).toContain("plain");
      // Closed by the server's 1 s idle timeout (restored after the answer), not by the 8 s guard.
      expect(guard).toBe(false);
    } finally {
      await bun.stop();
    }
  });
});
