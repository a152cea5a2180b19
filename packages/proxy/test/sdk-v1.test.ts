/** A stateful SDK v1 server (2025-11-25 sessions) proxied through Portico. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeProxiedChecks } from "./_checks.ts";
import { type Front, front, modern } from "./_front.ts";
import { type RemoteV1, startV1 } from "./_remotes.ts";

describe("proxying an SDK v1 server", () => {
  let remote: RemoteV1;
  let proxied: Front;

  beforeAll(async () => {
    remote = await startV1();
    proxied = await front(remote.url);
  });

  afterAll(async () => {
    await proxied.proxied.close();
    await remote.close();
  });

  it("falls back to the legacy era and registers everything", () => {
    expect(proxied.proxied.era).toBe("legacy");
    expect(proxied.proxied.tools).toEqual(["add", "fail", "slow"]);
    expect(proxied.proxied.resources).toEqual(["note://a"]);
    expect(proxied.proxied.templates).toEqual(["note://{id}"]);
    expect(proxied.proxied.prompts).toEqual(["greet"]);
    expect(proxied.proxied.skipped).toEqual([]);
    const methods = remote.seen.map((s) => s.method);
    expect(methods.slice(0, 3)).toEqual(["server/discover", "initialize", "notifications/initialized"]);
    // Every request after the handshake carries the session and the negotiated version.
    const later = remote.seen.filter((s) => s.method !== "server/discover" && s.method !== "initialize");
    for (const s of later) {
      expect(s.headers.get("mcp-session-id")).toBeTruthy();
      expect(s.headers.get("mcp-protocol-version")).toBe("2025-11-25");
    }
  });

  describeProxiedChecks(() => proxied);

  it("re-initializes an expired session once and retries the request", async () => {
    const before = remote.seen.filter((s) => s.method === "initialize").length;
    remote.expireSessions();
    const answer = await modern(proxied.handler, "tools/call", { name: "add", arguments: { a: 1, b: 1 } });
    expect(answer.result.structuredContent).toEqual({ sum: 2 });
    expect(remote.seen.filter((s) => s.method === "initialize").length).toBe(before + 1);
    // Concurrent calls after another expiry share one new session.
    remote.expireSessions();
    const answers = await Promise.all(
      [1, 2, 3].map((n) => modern(proxied.handler, "tools/call", { name: "add", arguments: { a: n, b: 0 } })),
    );
    expect(answers.map((a) => a.result.structuredContent.sum)).toEqual([1, 2, 3]);
    expect(remote.seen.filter((s) => s.method === "initialize").length).toBe(before + 2);
  });

  it("close() removes the registrations and deletes the session", async () => {
    // Marked by a static header: the first front's follower may still be reconnecting (after the
    // expiry above) and POSTing in the same moment, so the remote's last request is not ours.
    const other = await front(remote.url, { headers: { "x-front": "other" } });
    await other.proxied.close();
    const ours = remote.seen.filter((s) => s.headers.get("x-front") === "other");
    const session = ours.find((s) => s.method === "notifications/initialized")?.headers.get("mcp-session-id");
    expect(session).toBeTruthy();
    expect(ours.at(-1)?.httpMethod).toBe("DELETE");
    expect(ours.at(-1)?.headers.get("mcp-session-id")).toBe(session);
    expect(other.proxied.tools).toEqual([]);
    const list = await modern(other.handler, "tools/list");
    expect(list.result?.tools ?? []).toEqual([]);
  });
});
