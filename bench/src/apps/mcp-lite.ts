/** mcp-lite serving the two-number `add` tool. */
import { McpServer as LiteServer, StreamableHttpTransport } from "mcp-lite";
import { z } from "zod";
import type { FetchTarget } from "./_fetch-target.ts";

export function mcpLite(): FetchTarget {
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
