/** The official SDK v2 serving the two-number `add` tool. */
import { createMcpHandler, McpServer as SdkServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { FetchTarget } from "./_fetch-target.ts";

export function sdkV2(): FetchTarget {
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
