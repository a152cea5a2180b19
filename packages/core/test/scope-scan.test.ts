/**
 * The OAuth scope check costs nothing when no definition declares `scopes`, runs after the cheap
 * checks that refuse a POST anyway (a JSON array without a legacy session), and looks at a bounded
 * number of a batch's messages: a crafted array of `resources/read` items cannot make the server
 * match every URI against every template before answering. Counted in template matches (a spy on
 * `UriTemplate.prototype.match`), never timed.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type AuthInfo,
  addMethods,
  addResource,
  addResourceTemplate,
  addTool,
  createHandler,
  createModernHandler,
  McpServer,
  UriTemplate,
} from "../src/index.ts";
import { MAX_BATCH_MESSAGES } from "../src/legacy/_batch.ts";
import { MAX_SCOPE_CHECKED } from "../src/serve.ts";
import { legacySession, modern, modernRequest, URL_ } from "./_client.ts";
import { ACCEPT_BOTH } from "./_requests.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Counts template matches from now on. */
function countMatches() {
  return vi.spyOn(UriTemplate.prototype, "match");
}

function server(scoped: boolean) {
  const s = new McpServer({ name: "scan", version: "1" });
  for (const ext of ["txt", "md", "json"])
    addResourceTemplate(s, `file:///{+path}.${ext}`, { name: ext }, (uri) => [{ uri, text: "x" }]);
  addTool(s, "t", scoped ? { scopes: ["tools:t"] } : {}, () => "ok");
  return s;
}

const ITEMS = 500;
const readItems = (n = ITEMS) =>
  Array.from({ length: n }, (_, i) => ({
    jsonrpc: "2.0",
    id: i,
    method: "resources/read",
    params: { uri: `file:///${i}/${".txt".repeat(50)}x` },
  }));

function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT_BOTH, ...headers },
    body: JSON.stringify(body),
  });
}

describe("the scope check", () => {
  it("matches nothing for an array without a session, scopes declared or not", async () => {
    for (const scoped of [false, true]) {
      const h = createHandler(server(scoped), { onError: () => {} });
      const match = countMatches();
      const res = await h.fetch(post(readItems()));
      expect(res.status).toBe(400);
      expect(match).toHaveBeenCalledTimes(0);
      match.mockRestore();
      h.close();
    }
  });

  it("matches nothing for an array at a server that speaks only 2026-07-28", async () => {
    const h = createModernHandler(server(true), { onError: () => {} });
    const match = countMatches();
    const res = await h.fetch(post(readItems(), { "mcp-session-id": "made-up" }));
    expect(res.status).toBe(400);
    expect(match).toHaveBeenCalledTimes(0);
    h.close();
  });

  it("is skipped when no definition declares scopes (a made-up session id: the session check answers)", async () => {
    const h = createHandler(server(false), { onError: () => {} });
    const match = countMatches();
    const res = await h.fetch(post(readItems(), { "mcp-session-id": "made-up" }));
    expect(res.status).toBe(404);
    expect(match).toHaveBeenCalledTimes(0);
    // One modern read matches once: the read itself, no second match for the scope check.
    const read = await modern(h, "resources/read", { uri: "file:///a/b.txt" });
    expect(read.status).toBe(200);
    expect(match).toHaveBeenCalledTimes(1);
    h.close();
  });

  it("refuses no batch the legacy era would run", () => {
    expect(MAX_SCOPE_CHECKED).toBeGreaterThanOrEqual(MAX_BATCH_MESSAGES);
  });

  it("refuses, before matching, a batch with more messages than it checks", async () => {
    const h = createHandler(server(true), { onError: () => {} });
    const match = countMatches();
    const res = await h.fetch(post(readItems(), { "mcp-session-id": "made-up" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: -32600 } });
    expect(match).toHaveBeenCalledTimes(0);
    h.close();
  });

  it("still checks a small batch in a 2025-03-26 session, and a scope added after the handler was made", async () => {
    const s = server(false);
    let auth: AuthInfo | undefined = { subject: "u", scopes: [] };
    const h = createHandler(s, { authenticate: () => auth });
    const session = await legacySession(h, "2025-03-26");
    const batch = [
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "t", arguments: {} } },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "late", arguments: {} } },
    ];
    const ran: string[] = [];
    addTool(s, "late", { scopes: ["late"] }, () => {
      ran.push("late");
      return "late";
    });
    expect((await session.send(batch)).status).toBe(403);
    expect((await modern(h, "tools/call", { name: "late", arguments: {} })).status).toBe(403);
    expect(ran).toEqual([]);
    auth = { subject: "u", scopes: ["late"] };
    expect((await session.send(batch)).status).toBe(200);
    expect(ran).toEqual(["late"]);
    h.close();
  });

  it("forgets a removed scoped definition, and checks a template added later", async () => {
    const s = server(false);
    const h = createHandler(s, { authenticate: () => ({ subject: "u", scopes: [] }) });
    const registration = addResource(s, "secret://a", { name: "a", scopes: ["s"] }, (uri) => [
      { uri, text: "a" },
    ]);
    expect((await modern(h, "resources/read", { uri: "secret://a" })).status).toBe(403);
    registration.remove();
    const match = countMatches();
    expect((await modern(h, "resources/read", { uri: "file:///a.txt" })).status).toBe(200);
    expect(match).toHaveBeenCalledTimes(1);
    addResourceTemplate(s, "secret://t/{id}", { name: "t", scopes: ["s"] }, (uri) => [{ uri, text: "t" }]);
    expect((await modern(h, "resources/read", { uri: "secret://t/1" })).status).toBe(403);
    h.close();
  });

  it("keeps checking a custom method's scopes, whatever the definitions declare", async () => {
    const s = server(false);
    addMethods(s, {
      name: "acme",
      methods: {
        "acme/admin": {
          eras: ["modern", "legacy"],
          scopes: () => ["acme:admin"],
          handler: () => ({ done: true }),
        },
      },
    });
    const h = createHandler(s, { authenticate: () => ({ subject: "u", scopes: [] }) });
    const res = await h.fetch(modernRequest("acme/admin"));
    expect(res.status).toBe(403);
    h.close();
  });
});
