import { handle } from "@portico/adapter-lambda";
import { McpServer, StreamableHttpTransport } from "mcp-lite";
import { z } from "zod";

const server = new McpServer({
  name: "bench",
  version: "1.0.0",
  schemaAdapter: (schema) => z.toJSONSchema(schema as z.ZodType) as Record<string, unknown>,
});
server.tool("add", {
  description: "Add two numbers",
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  handler: ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }] }),
});
const fetchHandler = new StreamableHttpTransport().bind(server);
export const handler = handle({ fetch: (request) => fetchHandler(request) });
