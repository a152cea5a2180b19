/**
 * What a legacy session record holds from the client is bounded. `initialize`'s `capabilities` and
 * `clientInfo` (kept for the session's life; a DynamoDB item is at most 400 KB) and
 * `resources/subscribe`: the session record holds the subscribed URIs, so a client must not
 * grow it without bound, and "servers MUST validate all resource URIs" (2025-11-25, Resources,
 * Security Considerations): only a URI the server has — a resource, or one a template matches —
 * can be subscribed to; an unknown one gets -32002 "Resource not found", as `resources/read` does.
 */
import { describe, expect, it } from "vitest";
import { addResource, addResourceTemplate, createHandler, McpServer } from "../src/index.ts";
import { MAX_CLIENT_STATE_CHARS } from "../src/legacy/_initialize.ts";
import { MAX_SUBSCRIBED_URI, MAX_SUBSCRIPTIONS } from "../src/methods/resources.ts";
import { legacySession, read, URL_ } from "./_client.ts";
import { ACCEPT_BOTH } from "./_requests.ts";

function handler() {
  const server = new McpServer({ name: "subs", version: "1" });
  addResource(server, "note://fixed", { name: "fixed" }, () => "fixed");
  addResourceTemplate(server, "note://items/{id}", { name: "item" }, (uri) => uri);
  return createHandler(server, { onError: () => {} });
}

describe("legacy resources/subscribe", () => {
  it("takes a resource or a URI a template matches, and refuses one the server does not have", async () => {
    const session = await legacySession(handler());
    expect((await session.call("resources/subscribe", { uri: "note://fixed" })).final.result).toEqual({});
    expect((await session.call("resources/subscribe", { uri: "note://items/7" })).final.result).toEqual({});
    const unknown = await session.call("resources/subscribe", { uri: "note://nowhere" });
    expect(unknown.final.error).toMatchObject({ code: -32002, data: { uri: "note://nowhere" } });
    const long = await session.call("resources/subscribe", {
      uri: `note://items/${"x".repeat(MAX_SUBSCRIBED_URI)}`,
    });
    expect(long.final.error?.code).toBe(-32002);
    // Unsubscribing needs no check: whatever is not there is simply not there.
    expect((await session.call("resources/unsubscribe", { uri: "note://nowhere" })).final.result).toEqual({});
  });

  it(`holds at most ${MAX_SUBSCRIPTIONS} per session; a repeat or an unsubscribe frees no more than it should`, async () => {
    const session = await legacySession(handler());
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) {
      const answer = await session.call("resources/subscribe", { uri: `note://items/${i}` }, { id: i + 1 });
      expect(answer.final.result).toEqual({});
    }
    // Already subscribed: still fine at the cap.
    expect((await session.call("resources/subscribe", { uri: "note://items/0" })).final.result).toEqual({});
    const over = await session.call("resources/subscribe", { uri: "note://fixed" });
    expect(over.final.error).toMatchObject({ code: -32600 });
    expect(over.final.error.message).toMatch(/at most 100 resources/);
    await session.call("resources/unsubscribe", { uri: "note://items/0" });
    expect((await session.call("resources/subscribe", { uri: "note://fixed" })).final.result).toEqual({});
  });
});

describe("legacy initialize", () => {
  const initialize = (params: Record<string, unknown>) =>
    handler().fetch(
      new Request(URL_, {
        method: "POST",
        headers: { "content-type": "application/json", accept: ACCEPT_BOTH },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params }),
      }),
    );
  const base = { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } };

  it("refuses capabilities and clientInfo the session record could not keep, opening no session", async () => {
    const huge = {
      ...base,
      clientInfo: { name: "c", version: "1", blob: "x".repeat(MAX_CLIENT_STATE_CHARS) },
    };
    for (const params of [
      huge,
      { ...base, capabilities: "all" },
      { ...base, capabilities: [] },
      { ...base, clientInfo: 7 },
    ]) {
      const response = await initialize(params);
      expect(response.status).toBe(400);
      expect(response.headers.get("mcp-session-id")).toBeNull();
      expect((await read(response)).final.error).toMatchObject({ code: -32602 });
    }
  });

  it("opens a session for ordinary ones, clientInfo absent included", async () => {
    for (const params of [base, { protocolVersion: "2025-11-25", capabilities: { roots: {} } }]) {
      const response = await initialize(params);
      expect(response.status).toBe(200);
      expect(response.headers.get("mcp-session-id")).toBeTruthy();
    }
  });
});
