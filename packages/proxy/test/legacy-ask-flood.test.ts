/**
 * A legacy upstream that asks for input over and over within one call (a new `elicitation/create`
 * as soon as the previous one is answered): the caller is asked at most 8 times (the bound of a
 * modern upstream's `input_required` rounds, `MAX_INPUT_ROUNDS`), then the call fails, over HTTP
 * and over a message transport alike. The upstream's 9th request gets a JSON-RPC error.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer as McpServerV1 } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ElicitRequestSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { serve } from "@portico/adapter-node";
import { createHandler, McpServer } from "@portico/core";
import { afterEach, describe, expect, it } from "vitest";
import { type ProxyTransport, proxy, type TransportMessage } from "../src/index.ts";
import { startV1 } from "./_remotes.ts";

type Text = { type: string; text: string }[];

/** How many times the upstream's tool asks at most (well past the bound). */
const ASKS = 20;
const SCHEMA = {
  type: "object" as const,
  properties: { answer: { type: "string" as const } },
  required: ["answer"],
};

/** Tool `nag`: elicits up to {@link ASKS} times, stopping at the first refusal; `outcomes` records each. */
function defineNag(server: McpServerV1, outcomes: string[], related: boolean): void {
  server.registerTool("nag", { description: "Asks again and again" }, async (extra) => {
    for (let i = 0; i < ASKS; i++) {
      try {
        await server.server.elicitInput(
          { message: `Question ${i + 1}?`, requestedSchema: SCHEMA },
          related ? { relatedRequestId: extra.requestId } : undefined,
        );
        outcomes.push("answered");
      } catch (error) {
        outcomes.push(`refused: ${(error as Error).message}`);
        break;
      }
    }
    return { content: [{ type: "text", text: `asked ${outcomes.length} times` }] };
  });
}

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A Portico front over `target` on real HTTP, and an SDK caller of it that answers every elicitation. */
async function callNag(target: string | ProxyTransport): Promise<{ asked: number; result: unknown }> {
  const server = new McpServer({ name: "front", version: "1.0.0" });
  const proxied = await proxy(server, target, { follow: false, timeoutMs: 10_000 });
  stops.push(() => proxied.close());
  const http = await serve(createHandler(server, { onError: () => {} }), { port: 0, hostname: "127.0.0.1" });
  stops.push(() => http.close());
  const client = new Client({ name: "caller", version: "1.0.0" }, { capabilities: { elicitation: {} } });
  let asked = 0;
  client.setRequestHandler(ElicitRequestSchema, async () => {
    asked++;
    return { action: "accept", content: { answer: "yes" } };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`)));
  stops.push(() => client.close());
  const result = await client.callTool({ name: "nag", arguments: {} });
  return { asked, result };
}

const FAILED = {
  isError: true,
  content: [{ type: "text", text: "The upstream MCP server asked for input more than 8 times" }],
};

describe("a legacy upstream asking for input again and again within one call", () => {
  it("over HTTP: the caller is asked 8 times, then the call fails", async () => {
    const outcomes: string[] = [];
    const remote = await startV1((server) => defineNag(server, outcomes, true));
    stops.push(() => remote.close());
    const { asked, result } = await callNag(remote.url);
    expect(asked).toBe(8);
    expect(result).toMatchObject(FAILED);
    // The upstream's 9th request was refused with a JSON-RPC error, and it asked no more.
    expect(outcomes.slice(0, 8)).toEqual(Array(8).fill("answered"));
    expect(outcomes[8]).toContain("refused");
    expect(outcomes).toHaveLength(9);
  });

  it("over a message transport: the caller is asked 8 times, then the call fails", async () => {
    const outcomes: string[] = [];
    const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
    const upstream = new McpServerV1({ name: "remote-memory", version: "1.0.0" });
    defineNag(upstream, outcomes, false);
    await upstream.connect(serverEnd);
    stops.push(() => upstream.close());
    const transport: ProxyTransport = {
      start: () => clientEnd.start(),
      send: (message) => clientEnd.send(message as JSONRPCMessage),
      close: () => clientEnd.close(),
    };
    clientEnd.onmessage = (message) => transport.onmessage?.(message as TransportMessage);
    clientEnd.onclose = () => transport.onclose?.();
    clientEnd.onerror = (error) => transport.onerror?.(error);
    const { asked, result } = await callNag(transport);
    expect(asked).toBe(8);
    expect(result).toMatchObject(FAILED);
    expect((result as { content: Text }).content).toHaveLength(1);
    expect(outcomes.slice(0, 8)).toEqual(Array(8).fill("answered"));
    expect(outcomes[8]).toContain("refused");
  });
});
