/** An SDK v2 server (2026-07-28, stateless) proxied through Portico in the modern era. */
import { MODERN_VERSION } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeProxiedChecks } from "./_checks.ts";
import { type Front, front, modern } from "./_front.ts";
import { type RemoteV2, startV2 } from "./_remotes.ts";

const TARGET = "http://upstream.test/mcp";

describe("proxying an SDK v2 server", () => {
  let remote: RemoteV2;
  let proxied: Front;

  beforeAll(async () => {
    remote = startV2();
    proxied = await front(TARGET, { fetch: remote.fetch });
  });

  afterAll(async () => {
    await proxied.proxied.close();
  });

  it("chooses the modern era by server/discover and sends the modern envelope", () => {
    expect(proxied.proxied.era).toBe("modern");
    expect(remote.seen[0]?.method).toBe("server/discover");
    expect(remote.seen.some((s) => s.method === "initialize")).toBe(false);
    for (const s of remote.seen) {
      expect(s.headers.get("mcp-protocol-version")).toBe(MODERN_VERSION);
      expect(s.headers.get("mcp-method")).toBe(s.method);
      expect(s.headers.get("mcp-session-id")).toBeNull();
    }
  });

  describeProxiedChecks(() => proxied);

  it("sends Mcp-Name on tools/call, resources/read and prompts/get", async () => {
    remote.seen.length = 0;
    await modern(proxied.handler, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
    await modern(proxied.handler, "resources/read", { uri: "note://a" });
    await modern(proxied.handler, "prompts/get", { name: "greet", arguments: { name: "x" } });
    expect(remote.seen.map((s) => [s.method, s.headers.get("mcp-name")])).toEqual([
      ["tools/call", "add"],
      ["resources/read", "note://a"],
      ["prompts/get", "greet"],
    ]);
  });

  it("also works in the legacy era when forced (the SDK's stateless fallback)", async () => {
    const legacy = await front(TARGET, { fetch: remote.fetch, era: "legacy" });
    expect(legacy.proxied.era).toBe("legacy");
    const answer = await modern(legacy.handler, "tools/call", { name: "add", arguments: { a: 4, b: 4 } });
    expect(answer.result.structuredContent).toEqual({ sum: 8 });
    await legacy.proxied.close();
  });

  it("refresh() picks up added and removed tools, with a prefix", async () => {
    const prefixed = await front(TARGET, { fetch: remote.fetch, prefix: "up" });
    expect(prefixed.proxied.tools).toEqual(["up_add", "up_fail", "up_slow"]);
    expect(prefixed.proxied.prompts).toEqual(["up_greet"]);
    remote.extra = true;
    try {
      await prefixed.proxied.refresh();
      expect(prefixed.proxied.tools).toContain("up_extra");
      const answer = await modern(prefixed.handler, "tools/call", { name: "up_extra", arguments: {} });
      expect(answer.result.content).toEqual([{ type: "text", text: "extra" }]);
    } finally {
      remote.extra = false;
    }
    await prefixed.proxied.refresh();
    expect(prefixed.proxied.tools).not.toContain("up_extra");
    const gone = await modern(prefixed.handler, "tools/call", { name: "up_extra", arguments: {} });
    expect(gone.error?.code).toBe(-32602);
    await prefixed.proxied.close();
  });
});
