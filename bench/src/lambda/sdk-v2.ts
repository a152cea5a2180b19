import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { handle } from "@portico/adapter-lambda";
import { z } from "zod";

const mcp = createMcpHandler(() => {
  const server = new McpServer({ name: "bench", version: "1.0.0" });
  server.registerTool(
    "add",
    { description: "Add two numbers", inputSchema: z.object({ a: z.number(), b: z.number() }) },
    async ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }] }),
  );
  return server;
});
export const handler = handle({ fetch: (request) => mcp.fetch(request) });
