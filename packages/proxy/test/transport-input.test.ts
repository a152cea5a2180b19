/**
 * What an upstream reached over a message transport sends during a call: an SDK v1 server on the
 * SDK's `InMemoryTransport`, wrapped in a `ProxyTransport` that records what the proxy sends it.
 * Its `elicitation/create` during the one call in flight is asked of the Portico caller (a
 * 2025-11-25 SDK client over Streamable HTTP, or a 2026-07-28 caller through `input_required`);
 * with two calls in flight it is answered with a JSON-RPC error; its log message during the one
 * call in flight reaches that call's caller.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer as McpServerV1 } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  ElicitRequestSchema,
  type JSONRPCMessage,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { serve } from "@portico/adapter-node";
import { createHandler, type McpHandler, McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyRegistration, type ProxyTransport, proxy, type TransportMessage } from "../src/index.ts";
import { modern } from "./_front.ts";
import { waitFor } from "./_wait.ts";

type Json = Record<string, any>;
type Text = { type: string; text: string }[];

const SCHEMA = {
  type: "object" as const,
  properties: { answer: { type: "string" as const } },
  required: ["answer"],
};
const ANSWER = { action: "accept", content: { answer: "yes" } };

/** What the upstream's tools saw. */
interface Upstream {
  /** The outcome of each `elicitInput` of tool `ask`: the reply, or the error it got. */
  asks: string[];
  /** How many `pair` calls have reached the upstream. */
  pairs: number;
  /** The outcome of each `elicitInput` of tool `pair`. */
  paired: string[];
}

/** Waits until `check` holds (5 s at most). */
async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** An SDK v1 server with tools `ask` (elicits), `pair` (elicits once two calls are running) and `log`. */
function defineUpstream(server: McpServerV1, seen: Upstream): void {
  const elicit = async (): Promise<string> => {
    try {
      const reply = await server.server.elicitInput({ message: "Proceed?", requestedSchema: SCHEMA });
      return `${reply.action}: ${JSON.stringify(reply.content ?? {})}`;
    } catch (error) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return `refused ${String(code)}: ${String(message)}`;
    }
  };
  server.registerTool("ask", { description: "Asks the user" }, async () => {
    const outcome = await elicit();
    seen.asks.push(outcome);
    return { content: [{ type: "text", text: outcome }] };
  });
  server.registerTool("pair", { description: "Asks once two calls are running" }, async () => {
    seen.pairs++;
    // Both calls are in flight at the proxy from the first barrier to the second: it cannot tell
    // which one a request or a log message is for.
    await until(() => seen.pairs >= 2);
    await server.sendLoggingMessage({ level: "info", logger: "upstream", data: "pair log" });
    const outcome = await elicit();
    seen.paired.push(outcome);
    await until(() => seen.paired.length >= 2);
    return { content: [{ type: "text", text: outcome }] };
  });
  server.registerTool("log", { description: "Logs, then answers" }, async () => {
    await server.sendLoggingMessage({ level: "warning", logger: "upstream", data: { step: "working" } });
    return { content: [{ type: "text", text: "logged" }] };
  });
}

/**
 * A `ProxyTransport` over the client end of an in-memory pair whose server end serves an SDK v1
 * server; `sent` records each message the proxy sends.
 */
async function memoryUpstream(seen: Upstream) {
  const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
  const server = new McpServerV1(
    { name: "remote-memory", version: "1.0.0" },
    { capabilities: { logging: {} } },
  );
  defineUpstream(server, seen);
  await server.connect(serverEnd);
  const sent: TransportMessage[] = [];
  const transport: ProxyTransport = {
    start: () => clientEnd.start(),
    send: async (message) => {
      sent.push(message);
      await clientEnd.send(message as JSONRPCMessage);
    },
    close: () => clientEnd.close(),
  };
  clientEnd.onmessage = (message) => transport.onmessage?.(message as TransportMessage);
  clientEnd.onclose = () => transport.onclose?.();
  clientEnd.onerror = (error) => transport.onerror?.(error);
  return { transport, sent, server };
}

describe("an SDK v1 upstream over an in-memory transport, asking for input during a call", () => {
  const seen: Upstream = { asks: [], pairs: 0, paired: [] };
  const logged: { message: string; meta: unknown }[] = [];
  let sent: TransportMessage[];
  let upstream: McpServerV1;
  let proxied: ProxyRegistration;
  let handler: McpHandler;
  let http: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    const memory = await memoryUpstream(seen);
    sent = memory.sent;
    upstream = memory.server;
    const server = new McpServer({ name: "front", version: "1.0.0" });
    const info = (message: string, meta?: unknown) => logged.push({ message, meta });
    proxied = await proxy(server, memory.transport, {
      timeoutMs: 10_000,
      logger: { debug: () => {}, info, warn: () => {}, error: () => {} },
    });
    handler = createHandler(server, { onError: () => {} });
    http = await serve(handler, { port: 0, hostname: "127.0.0.1" });
  });

  afterAll(async () => {
    await http.close();
    await proxied.close();
    await upstream.close();
  });

  /** An SDK client of the front declaring elicitation; `asked` records the requests it answered. */
  async function caller() {
    const client = new Client({ name: "caller", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    const asked: Json[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params);
      return ANSWER;
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`)));
    return { client, asked };
  }

  /** The proxy's replies (on the transport) to the upstream's requests. */
  const replies = () => sent.filter((m) => m.method === undefined && (m.result ?? m.error) !== undefined);

  it("proxies over the transport in the legacy era", () => {
    expect(proxied.era).toBe("legacy");
    expect(proxied.tools).toEqual(["ask", "pair", "log"]);
  });

  it("asks a 2025-11-25 caller (SDK client) and sends its answer to the upstream", async () => {
    const { client, asked } = await caller();
    try {
      const before = replies().length;
      const result = await client.callTool({ name: "ask", arguments: {} });
      expect((result.content as Text)[0]?.text).toBe('accept: {"answer":"yes"}');
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ message: "Proceed?", requestedSchema: SCHEMA });
      // The caller's answer went upstream as the reply to the upstream's request.
      expect(replies().slice(before)).toEqual([
        { jsonrpc: "2.0", id: expect.anything(), result: expect.objectContaining(ANSWER) },
      ]);
      expect(seen.asks.at(-1)).toBe('accept: {"answer":"yes"}');
    } finally {
      await client.close();
    }
  });

  it("gives a 2026-07-28 caller input_required, and on its retry the upstream gets the answer", async () => {
    const asks = seen.asks.length;
    const cancels = sent.filter((m) => m.method === "notifications/cancelled").length;
    const capabilities = { elicitation: {} };
    const first = await modern(
      handler,
      "tools/call",
      { name: "ask", arguments: {} },
      undefined,
      capabilities,
    );
    expect(first.result.resultType).toBe("input_required");
    const entries = Object.entries(first.result.inputRequests as Json);
    expect(entries).toHaveLength(1);
    const [key, request] = entries[0] as [string, Json];
    expect(request).toMatchObject({
      method: "elicitation/create",
      params: { message: "Proceed?", requestedSchema: SCHEMA },
    });
    // The upstream's first request got an error (its call is abandoned and cancelled)…
    await waitFor("the first run to end upstream", () => seen.asks.length > asks);
    expect(seen.asks[asks]).toMatch(/^refused /);
    const calls = sent.filter((m) => m.method === "tools/call").map((m) => m.id);
    const abandoned = sent.filter((m) => m.method === "notifications/cancelled").slice(cancels);
    expect(abandoned).toEqual([expect.objectContaining({ params: { requestId: calls.at(-1) } })]);
    // …and the retry runs the tool again upstream, whose request now gets the caller's answer.
    const retry = { requestState: first.result.requestState, inputResponses: { [key]: ANSWER } };
    const second = await modern(
      handler,
      "tools/call",
      { name: "ask", arguments: {}, ...retry },
      undefined,
      capabilities,
    );
    expect(second.result.content).toEqual([{ type: "text", text: 'accept: {"answer":"yes"}' }]);
    expect(second.result.resultType).toBe("complete");
    expect(seen.asks.slice(asks)).toEqual([expect.stringMatching(/^refused /), 'accept: {"answer":"yes"}']);
  });

  it("answers the upstream's request with a JSON-RPC error when two calls are in flight, and neither hangs", async () => {
    const { client, asked } = await caller();
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(n.params.data);
    });
    const errors = () => replies().filter((m) => m.error !== undefined);
    const before = errors().length;
    const infos = logged.length;
    try {
      const results = await Promise.all([
        client.callTool({ name: "pair", arguments: {} }, undefined, { timeout: 10_000 }),
        client.callTool({ name: "pair", arguments: {} }, undefined, { timeout: 10_000 }),
      ]);
      expect(seen.pairs).toBe(2);
      expect(seen.paired).toHaveLength(2);
      for (const result of results) {
        const text = (result.content as Text)[0]?.text;
        expect(text).toMatch(/^refused -32603: /);
        expect(text).toContain("The proxy cannot tell which of its calls elicitation/create is for");
      }
      expect(asked).toEqual([]);
      const refused = errors().slice(before);
      expect(refused).toHaveLength(2);
      for (const reply of refused) expect(reply.error).toMatchObject({ code: -32603 });
      // Their log messages belong to no one call either: they went to the operator's logger.
      const unrouted = logged.slice(infos).filter((l) => l.message === "proxy: upstream log message");
      expect(unrouted.map((l) => l.meta)).toEqual([
        { level: "info", logger: "upstream", data: "pair log" },
        { level: "info", logger: "upstream", data: "pair log" },
      ]);
      expect(logs).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("relays a log message sent during the one call in flight to that call's caller", async () => {
    const { client } = await caller();
    const logs: Json[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(n.params);
    });
    const infos = logged.length;
    try {
      const result = await client.callTool({ name: "log", arguments: {} });
      expect((result.content as Text)[0]?.text).toBe("logged");
      await waitFor("the log message at the caller", () => logs.length > 0);
      expect(logs).toEqual([{ level: "warning", logger: "upstream", data: { step: "working" } }]);
      // Not also sent to the operator's logger.
      expect(logged.slice(infos).filter((l) => l.message === "proxy: upstream log message")).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
