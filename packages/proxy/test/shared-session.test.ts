/**
 * A legacy upstream whose session expires (404) while several calls are in flight: the new session
 * is started once and shared, on its own deadline — one caller leaving (its request aborted) while
 * the handshake runs fails only its own call, not the others waiting on the same handshake.
 */
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { front, URL_ } from "./_front.ts";

type Json = Record<string, any>;

/** Waits `ms`, or rejects when `signal` aborts (as a real fetch does). */
function wait(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

function legacyUpstream() {
  const state = { session: "s1", inits: 0, expired: false };
  const fetchFn: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (request.method !== "POST") return new Response(null, { status: 405 });
    const body = (await request.json()) as Json;
    const reply = (result: Json, headers: Record<string, string> = {}) =>
      Response.json({ jsonrpc: "2.0", id: body.id, result }, { headers });
    if (body.method === "initialize") {
      state.inits++;
      // A new session takes a while (the upstream restarted).
      if (state.inits > 1) await wait(300, init?.signal);
      state.session = `s${state.inits}`;
      state.expired = false;
      return reply(
        {
          protocolVersion: "2025-11-25",
          capabilities: { tools: {} },
          serverInfo: { name: "up", version: "1" },
        },
        { "mcp-session-id": state.session },
      );
    }
    if (body.id === undefined) return new Response(null, { status: 202 });
    if (state.expired || request.headers.get("mcp-session-id") !== state.session) {
      return Response.json(
        { jsonrpc: "2.0", id: body.id, error: { code: -32001, message: "Session not found" } },
        { status: 404 },
      );
    }
    if (body.method === "tools/list")
      return reply({ tools: [{ name: "work", inputSchema: { type: "object" } }] });
    return reply({ content: [{ type: "text", text: `done in ${request.headers.get("mcp-session-id")}` }] });
  };
  return { fetch: fetchFn, state };
}

const call = (handler: Awaited<ReturnType<typeof front>>["handler"], signal?: AbortSignal) =>
  handler
    .fetch(
      new Request(modernPost(URL_, "tools/call", { name: "work", arguments: {} }), signal ? { signal } : {}),
    )
    .then((response) => readJsonRpc(response))
    .then((messages) => messages.at(-1) as Json | undefined);

describe("a legacy upstream's new session, shared", () => {
  it("one caller leaving during the handshake fails only its own call", async () => {
    const upstream = legacyUpstream();
    const f = await front("http://up.test/mcp", { fetch: upstream.fetch, follow: false, era: "legacy" });
    try {
      upstream.state.expired = true; // the upstream restarted: its session is gone
      const leaving = new AbortController();
      const a = call(f.handler, leaving.signal).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const b = call(f.handler);
      await new Promise((resolve) => setTimeout(resolve, 100));
      leaving.abort();
      const [, answer] = await Promise.all([a, b]);
      expect(answer?.result?.content?.[0]?.text).toBe("done in s2");
      expect(upstream.state.inits).toBe(2);
    } finally {
      await f.proxied.close();
    }
  });
});
