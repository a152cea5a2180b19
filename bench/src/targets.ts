/**
 * The four fetch handlers under test, each serving the same two-number `add` tool.
 */
import { McpServer as SdkServer, createMcpHandler } from "@modelcontextprotocol/server";
import { createHandler, type ExecutionContextLike, McpServer } from "@portico/core";
import { McpServer as LiteServer, StreamableHttpTransport } from "mcp-lite";
import * as v from "valibot";
import { z } from "zod";

export interface FetchTarget {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response>;
}

export type TargetName = "portico" | "sdk-v2" | "mcp-lite" | "bare";
export type Era = "legacy" | "modern";

const ALL_TARGETS: readonly TargetName[] = ["portico", "sdk-v2", "mcp-lite", "bare"];
const only = process.env.BENCH_ONLY?.split(",").map((name) => name.trim());

/** `BENCH_ONLY=portico,bare,raw` narrows a run to some targets (for profiling; results get a `-partial` name). */
export const PARTIAL = only !== undefined;
export const TARGETS: readonly TargetName[] = ALL_TARGETS.filter((name) => only?.includes(name) ?? true);
/** Whether the raw node:http floor runs in the loopback part. */
export const RAW = only?.includes("raw") ?? true;
export const ERAS: readonly Era[] = ["legacy", "modern"];

/** Which eras a target serves; the others are reported as "n/a". */
export const SUPPORTED_ERAS: Record<TargetName, readonly Era[]> = {
  portico: ["legacy", "modern"],
  "sdk-v2": ["legacy", "modern"],
  // mcp-lite 0.10.0 knows 2025-03-26 and 2025-06-18 only.
  "mcp-lite": ["legacy"],
  bare: ["legacy", "modern"],
};

function portico(): FetchTarget {
  const server = new McpServer({ name: "bench", version: "1.0.0" });
  server.tool(
    "add",
    { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
    ({ a, b }) => String(a + b),
  );
  const handler = createHandler(server);
  // env and ctx pass through: ctx tells the core what the adapter can take (buffered responses).
  return { fetch: (request, env, ctx) => handler.fetch(request, env, ctx) };
}

function sdkV2(): FetchTarget {
  // The SDK's idiom: a factory building a fresh server per request.
  const handler = createMcpHandler(() => {
    const server = new SdkServer({ name: "bench", version: "1.0.0" });
    server.registerTool(
      "add",
      { description: "Add two numbers", inputSchema: z.object({ a: z.number(), b: z.number() }) },
      async ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }] }),
    );
    return server;
  });
  return { fetch: (request) => handler.fetch(request) };
}

function mcpLite(): FetchTarget {
  const server = new LiteServer({
    name: "bench",
    version: "1.0.0",
    schemaAdapter: (schema) => z.toJSONSchema(schema as z.ZodType) as Record<string, unknown>,
  });
  server.tool("add", {
    description: "Add two numbers",
    inputSchema: z.object({ a: z.number(), b: z.number() }),
    handler: ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }] }),
  });
  // Default (stateless) transport: mcp-lite's out-of-the-box legacy handling.
  const handle = new StreamableHttpTransport().bind(server);
  return { fetch: (request) => handle(request) };
}

interface AddCall {
  id?: unknown;
  params?: { arguments?: { a?: number; b?: number }; _meta?: unknown };
}

/** A hand-written handler: parse JSON, add, answer. No protocol checks at all. */
function bare(): FetchTarget {
  return {
    async fetch(request) {
      const body = (await request.json()) as AddCall;
      const args = body.params?.arguments ?? {};
      const result: Record<string, unknown> = {
        content: [{ type: "text", text: String((args.a ?? 0) + (args.b ?? 0)) }],
      };
      if (body.params?._meta !== undefined) result.resultType = "complete";
      return Response.json({ jsonrpc: "2.0", id: body.id ?? null, result });
    },
  };
}

export function createTarget(name: TargetName): FetchTarget {
  switch (name) {
    case "portico":
      return portico();
    case "sdk-v2":
      return sdkV2();
    case "mcp-lite":
      return mcpLite();
    case "bare":
      return bare();
  }
}
