/** Credentials sent upstream, and an upstream that is down or slow (SDK v1 over real HTTP). */

import { McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxy } from "../src/index.ts";
import { front, modern } from "./_front.ts";
import { type RemoteV1, startV1 } from "./_remotes.ts";

describe("credentials and failures", () => {
  let remote: RemoteV1;

  beforeAll(async () => {
    remote = await startV1();
  });

  afterAll(async () => {
    await remote.close();
  });

  it("sends static headers on every request, and the caller's token with auth: 'forward'", async () => {
    const f = await front(remote.url, { headers: { "X-Api-Key": "k-123" }, auth: "forward" });
    remote.seen.length = 0;
    const answer = await modern(
      f.handler,
      "tools/call",
      { name: "add", arguments: { a: 1, b: 2 } },
      { token: "caller-tok" },
    );
    expect(answer.result.structuredContent).toEqual({ sum: 3 });
    const call = remote.seen.find((s) => s.method === "tools/call");
    expect(call?.headers.get("x-api-key")).toBe("k-123");
    expect(call?.headers.get("authorization")).toBe("Bearer caller-tok");
    // An anonymous caller sends no Authorization; the static key still goes.
    remote.seen.length = 0;
    await modern(f.handler, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
    const anonymous = remote.seen.find((s) => s.method === "tools/call");
    expect(anonymous?.headers.get("authorization")).toBeNull();
    expect(anonymous?.headers.get("x-api-key")).toBe("k-123");
    await f.proxied.close();
  });

  it("takes per-call headers from an auth function", async () => {
    const f = await front(remote.url, {
      auth: (ctx) => ({ "X-On-Behalf-Of": ctx.auth?.subject ?? "anonymous" }),
    });
    remote.seen.length = 0;
    await modern(f.handler, "prompts/get", { name: "greet", arguments: { name: "x" } }, { subject: "alice" });
    expect(remote.seen.find((s) => s.method === "prompts/get")?.headers.get("x-on-behalf-of")).toBe("alice");
    await f.proxied.close();
  });

  it("turns a timeout into a tool error result", async () => {
    const f = await front(remote.url, { timeoutMs: 300 });
    const started = Date.now();
    const answer = await modern(f.handler, "tools/call", { name: "slow", arguments: { ms: 3000 } });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(answer.result).toMatchObject({
      content: [{ type: "text", text: "The upstream MCP server did not answer in time" }],
      isError: true,
    });
    await f.proxied.close();
  });

  it("answers with a clear error, not a crash, when the upstream goes down", async () => {
    const other = await startV1();
    const f = await front(other.url);
    await other.close();
    const answer = await modern(f.handler, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
    expect(answer.result).toMatchObject({
      content: [{ type: "text", text: "The upstream MCP server could not be reached" }],
      isError: true,
    });
    const read = await modern(f.handler, "resources/read", { uri: "note://a" });
    expect(read.error).toEqual({ code: -32603, message: "The upstream MCP server could not be reached" });
    expect(JSON.stringify(read)).not.toContain("127.0.0.1");
    await f.proxied.close();
  });

  it("rejects proxy() when the upstream cannot be reached at all", async () => {
    const other = await startV1();
    const url = other.url;
    await other.close();
    await expect(proxy(new McpServer({ name: "x", version: "1" }), url)).rejects.toThrow(/fetch failed/);
  });
});
