/**
 * Following the remote's changes without `refresh()`: an SDK v1 remote's list changes and resource
 * updates on the session's GET stream (and a Portico caller hearing of them on its own GET
 * stream), an SDK v2 remote's `subscriptions/listen` (and a Portico caller listening), a
 * hand-written remote's GET stream resumed with `Last-Event-ID` and a 405 ending the following,
 * completions forwarded to an SDK v1 remote.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import type { McpServer as McpServerV1 } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  SubscribeRequestSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { serve } from "@portico/adapter-node";
import { McpServer, type ServerEvent } from "@portico/core";
import { modernPost, readSse } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { proxy } from "../src/index.ts";
import { front, modern, URL_ } from "./_front.ts";
import { startV1, startV2 } from "./_remotes.ts";
import { waitFor } from "./_wait.ts";

type Text = { type: string; text: string }[];

describe("an SDK v1 remote (legacy GET stream)", () => {
  it("adds and removes tools as the remote does, announces resource updates, and tells callers", async () => {
    const servers: McpServerV1[] = [];
    const remote = await startV1((server) => {
      server.server.registerCapabilities({ resources: { subscribe: true } });
      server.server.setRequestHandler(SubscribeRequestSchema, async () => ({}));
      servers.push(server);
    });
    const f = await front(remote.url);
    const events: ServerEvent[] = [];
    f.server.subscribe((event) => events.push(event));
    const http = await serve(f.handler, { port: 0, hostname: "127.0.0.1" });
    const client = new Client({ name: "caller", version: "1.0.0" });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`)));
      let heard = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        heard++;
      });
      // The proxy's session opened its GET stream and subscribed to note://a.
      await waitFor(
        "the GET stream and the subscription",
        () =>
          remote.seen.some((s) => s.httpMethod === "GET") &&
          remote.seen.some((s) => s.method === "resources/subscribe"),
      );
      const get = remote.seen.find((s) => s.httpMethod === "GET");
      expect(get?.headers.get("accept")).toContain("text/event-stream");
      expect(get?.headers.get("mcp-session-id")).toBeTruthy();
      expect(get?.headers.get("mcp-protocol-version")).toBe("2025-11-25");
      const upstream = servers.at(-1) as McpServerV1;
      const added = upstream.registerTool("later", { description: "Added later" }, async () => ({
        content: [{ type: "text", text: "later" }],
      }));
      await waitFor("tool later", () => f.proxied.tools.includes("later"));
      const answer = await modern(f.handler, "tools/call", { name: "later", arguments: {} });
      expect(answer.result.content).toEqual([{ type: "text", text: "later" }]);
      await waitFor("tools/list_changed at the caller", () => heard > 0);
      added.remove();
      await waitFor("tool later removed", () => !f.proxied.tools.includes("later"));
      await upstream.server.sendResourceUpdated({ uri: "note://a" });
      await waitFor("resource_updated", () =>
        events.some((e) => e.type === "resource_updated" && e.uri === "note://a"),
      );
    } finally {
      await client.close();
      await http.close();
      await f.proxied.close();
      await remote.close();
    }
  });

  it("does not follow with follow: false", async () => {
    const remote = await startV1();
    const f = await front(remote.url, { follow: false });
    await f.proxied.close();
    await remote.close();
    expect(remote.seen.some((s) => s.httpMethod === "GET")).toBe(false);
  });
});

describe("an SDK v2 remote (subscriptions/listen)", () => {
  it("re-lists on the remote's tools/list_changed, and a Portico listener hears of it", async () => {
    const remote = startV2();
    const f = await front("http://remote.test/mcp", { fetch: remote.fetch });
    const listening = new AbortController();
    try {
      expect(f.proxied.era).toBe("modern");
      await waitFor("the upstream listen", () =>
        remote.seen.some((s) => s.method === "subscriptions/listen"),
      );
      // A 2026-07-28 caller listens to the Portico server.
      const signal = AbortSignal.any([listening.signal, AbortSignal.timeout(5000)]);
      const response = await f.handler.fetch(
        modernPost(URL_, "subscriptions/listen", { notifications: { toolsListChanged: true } }),
        {},
        { signal: listening.signal },
      );
      const events = readSse(response, { signal });
      const first = await events.next();
      expect(JSON.parse((first.value as { data: string }).data).method).toBe(
        "notifications/subscriptions/acknowledged",
      );
      // Until the upstream's listener is registered, a change may go unseen: publish until seen.
      remote.extra = true;
      await waitFor("tool extra", () => {
        remote.notify.toolsChanged();
        return f.proxied.tools.includes("extra");
      });
      let heard = false;
      for await (const event of events) {
        if (JSON.parse(event.data).method === "notifications/tools/list_changed") {
          heard = true;
          break;
        }
      }
      expect(heard).toBe(true);
    } finally {
      listening.abort();
      await f.proxied.close();
    }
  });
});

describe("a hand-written legacy remote's GET stream", () => {
  it("is resumed with Last-Event-ID after it ends, and a 405 stops the following", async () => {
    const gets: Headers[] = [];
    const fetchFn: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.method === "GET") {
        gets.push(request.headers);
        if (gets.length === 1) {
          const list = JSON.stringify({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
          return new Response(`id: ev-7\ndata: ${list}\n\n`, {
            headers: { "content-type": "text/event-stream" },
          });
        }
        return new Response(null, { status: 405 });
      }
      if (request.method === "DELETE") return new Response(null, { status: 200 });
      const body = (await request.json()) as { id?: number; method: string };
      const result =
        body.method === "initialize"
          ? {
              protocolVersion: "2025-11-25",
              capabilities: { tools: { listChanged: true } },
              serverInfo: { name: "x", version: "1" },
            }
          : body.method === "tools/list"
            ? { tools: [{ name: "t", inputSchema: { type: "object" } }] }
            : {};
      if (body.method === "server/discover") return new Response("no", { status: 400 });
      if (body.id === undefined) return new Response(null, { status: 202 });
      return Response.json({ jsonrpc: "2.0", id: body.id, result }, { headers: { "mcp-session-id": "s1" } });
    };
    const server = new McpServer({ name: "front", version: "1.0.0" });
    const proxied = await proxy(server, "http://remote.test/mcp", { fetch: fetchFn });
    try {
      // Reconnected after the 1 s backoff, resuming after the last event id; then the 405 stops it.
      await waitFor("the second GET", () => gets.length >= 2, 10_000);
      expect(gets[0]?.get("last-event-id")).toBeNull();
      expect(gets[1]?.get("last-event-id")).toBe("ev-7");
      expect(gets[1]?.get("mcp-session-id")).toBe("s1");
    } finally {
      await proxied.close();
    }
    expect(gets).toHaveLength(2);
  });
});

describe("the first stream", () => {
  it("re-lists once it is open: a change between the proxy's first listing and its stream is not missed", async () => {
    let added = false;
    // The remote adds a tool just before the proxy's GET stream reaches it: its list_changed goes
    // nowhere (no stream yet), so only a listing after the stream opened can find it.
    const remote = await startV1(undefined, (request, server) => {
      if (request.httpMethod !== "GET" || added || server === undefined) return;
      added = true;
      server.registerTool("early", { description: "Added before the stream" }, async () => ({
        content: [{ type: "text", text: "early" }],
      }));
    });
    const f = await front(remote.url);
    try {
      expect(f.proxied.tools).not.toContain("early");
      await waitFor("tool early", () => f.proxied.tools.includes("early"));
      expect(added).toBe(true);
      const listings = remote.seen.filter((s) => s.method === "tools/list");
      expect(listings).toHaveLength(2);
    } finally {
      await f.proxied.close();
      await remote.close();
    }
  });
});

describe("completions", () => {
  it("are forwarded to an SDK v1 remote for prompt arguments and template variables, as the caller", async () => {
    const remote = await startV1((server) => {
      server.registerPrompt(
        "pick",
        {
          argsSchema: {
            color: completable(z.string(), (v) => ["red", "rose", "blue"].filter((c) => c.startsWith(v))),
          },
        },
        ({ color }) => ({ messages: [{ role: "user", content: { type: "text", text: color } }] }),
      );
      server.registerResource(
        "colors",
        new ResourceTemplate("color://{name}", {
          list: undefined,
          complete: { name: (v, context) => [`${v}-${context?.arguments?.shade ?? "plain"}`] },
        }),
        {},
        async (uri) => ({ contents: [{ uri: uri.href, text: "c" }] }),
      );
    });
    const f = await front(remote.url, { prefix: "up", auth: "forward" });
    try {
      const picked = await modern(
        f.handler,
        "completion/complete",
        { ref: { type: "ref/prompt", name: "up_pick" }, argument: { name: "color", value: "r" } },
        { token: "caller-tok" },
      );
      expect(picked.result.completion.values).toEqual(["red", "rose"]);
      const named = await modern(f.handler, "completion/complete", {
        ref: { type: "ref/resource", uri: "color://{name}" },
        argument: { name: "name", value: "x" },
        context: { arguments: { shade: "dark" } },
      });
      expect(named.result.completion.values).toEqual(["x-dark"]);
      const sent = remote.seen.filter((s) => s.method === "completion/complete");
      expect(sent).toHaveLength(2);
      // The caller's token went with its completion; the anonymous caller's sent none.
      expect(sent.map((s) => s.headers.get("authorization"))).toEqual(["Bearer caller-tok", null]);
      const got = await modern(f.handler, "prompts/get", { name: "up_pick", arguments: { color: "red" } });
      expect((got.result.messages[0].content as Text[number]).text).toBe("red");
    } finally {
      await f.proxied.close();
      await remote.close();
    }
  });
});
