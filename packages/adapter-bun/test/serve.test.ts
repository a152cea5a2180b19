/** `serve()` in a real Bun: ctx, and graceful shutdown on SIGTERM (fixtures/graceful.ts). */
import { describe, expect, it } from "vitest";
import { startBun } from "./_bun-process.ts";

const decoder = new TextDecoder();

describe("serve() in Bun", () => {
  it("passes ctx: X-Request-Id or a UUID as requestId, waitUntil rejections to onError", async () => {
    const bun = await startBun("graceful.ts");
    try {
      expect(bun.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(bun.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const given = await fetch(`${bun.url}/later`, { headers: { "x-request-id": "req-1" } });
      expect(await given.text()).toBe("req-1");
      const made = await fetch(`${bun.url}/later`, { headers: { "x-request-id": "has a space" } });
      expect(await made.text()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(await (await fetch(`${bun.url}/fail`)).text()).toBe("ok");
      await expect.poll(() => bun.output()).toContain("reported: Error: background failure");
    } finally {
      await bun.stop();
    }
  });

  it("passes the TCP peer as ctx.clientAddress (requestIP), not a header the client sent", async () => {
    const bun = await startBun("graceful.ts");
    try {
      const spoofed = { "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9" };
      const response = await fetch(`${bun.url}/address`, { headers: spoofed });
      expect(await response.json()).toEqual({ clientAddress: "127.0.0.1" });
    } finally {
      await bun.stop();
    }
  });

  it("closes gracefully on SIGTERM: SSE ends with its retry hint, waitUntil work finishes, then exit 0", async () => {
    const bun = await startBun("graceful.ts");
    try {
      const stream = await fetch(`${bun.url}/stream`);
      expect(stream.headers.get("content-type")).toBe("text/event-stream");
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      expect(decoder.decode((await reader.read()).value)).toContain("data: tick");
      await (await fetch(`${bun.url}/later`)).text();

      const exited = bun.stop(10_000);
      let rest = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        rest += decoder.decode(value, { stream: true });
      }
      expect(rest).toContain("retry: 1000");
      expect(await exited).toBe(0);
      const out = bun.output();
      expect(out).toContain("waitUntil done");
      expect(out.indexOf("waitUntil done")).toBeLessThan(out.indexOf("closed"));
      await expect(fetch(`${bun.url}/later`)).rejects.toThrow();
    } finally {
      await bun.stop();
    }
  });
});
