/**
 * `describeAdapter`: the same MCP scenarios through any adapter. The fixture serves a fetch
 * handler through the adapter under test and returns the base URL of the MCP endpoint (a host in
 * another process serves its own copy of the battery's server: see `AdapterFixture.remote`).
 */
import { createHandler, type FetchHandler, type Stores } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapterTestServer } from "./adapter-server.ts";
import { initializeBody, legacyDelete, legacyGet, legacyPost, modernPost, readJsonRpc } from "./requests.ts";
import { readSse } from "./sse.ts";

export interface AdapterFixture {
  /** Full URL of the MCP endpoint, e.g. `http://127.0.0.1:PORT/mcp`. */
  url: string;
  close(): Promise<void>;
  /**
   * Sends the battery's requests instead of the global `fetch`: for hosts where the test cannot
   * listen on a port (inside workerd, requests go to the Worker through its `fetch` export).
   */
  fetch?: (input: Request | string | URL, init?: RequestInit) => Promise<Response>;
  /**
   * For hosts that run the battery's server in another process (a Bun or Deno child): such a
   * fixture serves its own copy of the battery's server (`adapterTestServer()` in this package,
   * with `createHandler(server, { onError })`) instead of the `app` it is handed, and reports what
   * that server saw through this. Default: the in-process server's probe and `onError`.
   */
  remote?: RemoteBatteryProbe;
}

/** What an out-of-process battery server saw (see {@link AdapterFixture.remote}). */
export interface RemoteBatteryProbe {
  /** Resolves once the `wait_for_abort` tool saw its signal fire (the probe's `aborted()`). */
  aborted(): Promise<void>;
  /** Everything the handler's `onError` received so far, each as `String(error)`. */
  errors(): Promise<string[]>;
}

export type ServeThroughAdapter = (app: FetchHandler) => Promise<AdapterFixture>;

/** Options of {@link describeAdapter}. */
export interface DescribeAdapterOptions {
  /**
   * `false` for adapters that cannot deliver a body incrementally (a buffered Lambda handler): the
   * streaming scenarios are replaced by their buffered counterparts (a call with progress answers
   * JSON, a legacy elicitation fails cleanly, the GET stream is refused with 405). Default `true`.
   */
  canStream?: boolean;
  /**
   * Stores of the battery's handler (default: in memory). Hosts whose invocations cannot reach one
   * another through process memory (Workers) pass durable ones.
   */
  stores?: Stores;
}

export function describeAdapter(
  name: string,
  serve: ServeThroughAdapter,
  options: DescribeAdapterOptions = {},
): void {
  const canStream = options.canStream !== false;
  const streamingIt = canStream ? it : it.skip;
  const bufferedIt = canStream ? it.skip : it;
  describe(`adapter contract: ${name}`, () => {
    const { server, probe } = adapterTestServer();
    const errors: unknown[] = [];
    let fixture: AdapterFixture;
    let url: string;
    let fetch: NonNullable<AdapterFixture["fetch"]> = (input, init) => globalThis.fetch(input, init);
    beforeAll(async () => {
      const onError = (e: unknown) => errors.push(e);
      fixture = await serve(
        createHandler(server, options.stores ? { onError, stores: options.stores } : { onError }),
      );
      url = fixture.url;
      if (fixture.fetch) fetch = fixture.fetch;
    });
    afterAll(async () => {
      await fixture?.close();
    });

    /** A legacy `tools/call` in session `sessionId`. */
    function callTool(sessionId: string, id: number, params: Record<string, unknown>): Promise<Response> {
      return fetch(legacyPost(url, { jsonrpc: "2.0", id, method: "tools/call", params }, { sessionId }));
    }

    async function initialize(): Promise<string> {
      const res = await fetch(legacyPost(url, initializeBody(1, { capabilities: { elicitation: {} } })));
      expect(res.status).toBe(200);
      const sid = res.headers.get("mcp-session-id");
      expect(sid).toMatch(/^[\x21-\x7e]+$/);
      await res.arrayBuffer();
      return sid as string;
    }

    it("legacy: initialize, tools/call as JSON", async () => {
      const sessionId = await initialize();
      const res = await callTool(sessionId, 2, { name: "add", arguments: { a: 2, b: 3 } });
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(await res.json()).toMatchObject({ id: 2, result: { content: [{ type: "text", text: "5" }] } });
    });

    it("a localhost page gets CORS: the preflight, and the headers on answers and refusals", async () => {
      const origin = "http://localhost:5173";
      const preflight = await fetch(
        new Request(url, {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, mcp-session-id",
          },
        }),
      );
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
      expect(preflight.headers.get("access-control-allow-headers")).toBe("content-type, mcp-session-id");
      await preflight.arrayBuffer();
      const init = legacyPost(url, initializeBody(1));
      init.headers.set("origin", origin);
      const answer = await fetch(init);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("access-control-allow-origin")).toBe(origin);
      expect(answer.headers.get("access-control-expose-headers")).toContain("Mcp-Session-Id");
      expect(answer.headers.get("vary")).toContain("Origin");
      expect(answer.headers.get("mcp-session-id")).toMatch(/^[\x21-\x7e]+$/);
      await answer.arrayBuffer();
      const refused = legacyPost(
        url,
        { jsonrpc: "2.0", id: 2, method: "tools/list" },
        { sessionId: "no-such-session" },
      );
      refused.headers.set("origin", origin);
      const gone = await fetch(refused);
      expect(gone.status).toBe(404);
      expect(gone.headers.get("access-control-allow-origin")).toBe(origin);
      await gone.arrayBuffer();
    });

    bufferedIt(
      "buffered: a call with progress answers JSON; the GET stream is refused with 405",
      async () => {
        const sessionId = await initialize();
        const res = await callTool(sessionId, 3, { name: "progress", _meta: { progressToken: "t" } });
        expect(res.headers.get("content-type")).toContain("application/json");
        expect(await res.json()).toMatchObject({ id: 3, result: { content: [{ text: "progressed" }] } });
        const get = await fetch(legacyGet(url, { sessionId }));
        expect(get.status).toBe(405);
        await get.arrayBuffer();
      },
    );

    bufferedIt("buffered: a legacy elicitation fails with a JSON-RPC error instead of hanging", async () => {
      const sessionId = await initialize();
      const res = await callTool(sessionId, 4, { name: "ask_name" });
      expect(res.headers.get("content-type")).toContain("application/json");
      const body = await res.json();
      expect(body.id).toBe(4);
      expect(body.error?.message ?? body.result?.content?.[0]?.text).toMatch(/stream/i);
    });

    streamingIt("legacy: progress streams as SSE with a priming event, then the result", async () => {
      const sessionId = await initialize();
      const res = await callTool(sessionId, 3, { name: "progress", _meta: { progressToken: "t" } });
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const events = [];
      for await (const event of readSse(res)) events.push(event);
      expect(events[0]?.data).toBe("");
      expect(events[0]?.id).toBeTruthy();
      const messages = events.filter((e) => e.data !== "").map((e) => JSON.parse(e.data));
      expect(messages.filter((m) => m.method === "notifications/progress")).toHaveLength(3);
      expect(messages.at(-1)).toMatchObject({ id: 3, result: { content: [{ text: "progressed" }] } });
    });

    streamingIt("legacy: elicitation reply arrives as a separate POST", async () => {
      const sessionId = await initialize();
      const res = await callTool(sessionId, 4, { name: "ask_name" });
      const messages = await readJsonRpc(res, {
        until: (m) => {
          if (m.method === "elicitation/create" && m.id !== undefined) {
            void fetch(
              legacyPost(
                url,
                { jsonrpc: "2.0", id: m.id, result: { action: "accept", content: { name: "Ada" } } },
                { sessionId },
              ),
            );
          }
          return m.id === 4;
        },
      });
      expect(messages.at(-1)).toMatchObject({ id: 4, result: { content: [{ text: "Hello, Ada" }] } });
    });

    it("legacy: DELETE ends the session; later requests get 404", async () => {
      const sessionId = await initialize();
      expect((await fetch(legacyDelete(url, { sessionId }))).status).toBe(200);
      const res = await fetch(
        legacyPost(url, { jsonrpc: "2.0", id: 5, method: "tools/list" }, { sessionId }),
      );
      expect(res.status).toBe(404);
    });

    it("modern: tools/call, resources/read and MRTR round trip", async () => {
      const add = await fetch(modernPost(url, "tools/call", { name: "add", arguments: { a: 1, b: 1 } }));
      expect(await add.json()).toMatchObject({
        result: { resultType: "complete", content: [{ text: "2" }] },
      });
      const read = await fetch(modernPost(url, "resources/read", { uri: "test://hello" }));
      expect(await read.json()).toMatchObject({
        result: { contents: [{ text: "hello" }], cacheScope: expect.any(String) },
      });
      const caps = { clientCapabilities: { elicitation: {} } };
      const first = (await (
        await fetch(modernPost(url, "tools/call", { name: "ask_name", arguments: {} }, caps))
      ).json()) as {
        result: { resultType: string; inputRequests: Record<string, unknown>; requestState: string };
      };
      expect(first.result.resultType).toBe("input_required");
      const key = Object.keys(first.result.inputRequests)[0] as string;
      const retry = await fetch(
        modernPost(
          url,
          "tools/call",
          {
            name: "ask_name",
            arguments: {},
            requestState: first.result.requestState,
            inputResponses: { [key]: { action: "accept", content: { name: "Bo" } } },
          },
          { ...caps, id: 2 },
        ),
      );
      expect(await retry.json()).toMatchObject({
        result: { resultType: "complete", content: [{ text: "Hello, Bo" }] },
      });
    });

    streamingIt("modern: closing the response stream aborts the tool's signal", async () => {
      const controller = new AbortController();
      const res = await fetch(
        modernPost(url, "tools/call", { name: "wait_for_abort", arguments: {}, _meta: { progressToken: 1 } }),
        {
          signal: controller.signal,
        },
      );
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      controller.abort();
      await (fixture.remote ?? probe).aborted();
    });

    it("bad input gets clear HTTP and JSON-RPC errors", async () => {
      const bad = await fetch(legacyPost(url, "{not json"));
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: -32700 } });
      const type = await fetch(url, {
        method: "POST",
        headers: { "content-type": "text/plain", accept: "application/json, text/event-stream" },
        body: "{}",
      });
      expect(type.status).toBe(415);
      const accept = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/html" },
        body: "{}",
      });
      expect(accept.status).toBe(406);
      const big = await fetch(legacyPost(url, JSON.stringify({ pad: "x".repeat(4 * 1024 * 1024 + 10) })));
      expect(big.status).toBe(413);
      const origin = await fetch(
        modernPost(url, "tools/list", {}, { headers: { origin: "http://evil.example.com" } }),
      );
      expect(origin.status).toBe(403);
      const unknown = await fetch(modernPost(url, "no/such/method"));
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: { code: -32601 } });
    });

    it("a tool that throws yields a safe isError result and a server-side report", async () => {
      const res = await fetch(modernPost(url, "tools/call", { name: "explode", arguments: {} }));
      const body = (await res.json()) as { result: { isError: boolean; content: { text: string }[] } };
      expect(body.result.isError).toBe(true);
      expect(JSON.stringify(body)).not.toContain("secret internal detail");
      const reported = fixture.remote ? await fixture.remote.errors() : errors.map(String);
      expect(reported.some((e) => e.includes("secret internal detail"))).toBe(true);
    });
  });
}
