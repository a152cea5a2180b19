/**
 * The quickstart's MCP server as a Vercel Function on the Node.js runtime, at `/api/mcp` (and
 * `/mcp`, rewritten in vercel.json). The Web-signature exports stream SSE chunk by chunk.
 */
import { handle } from "@portico/adapter-vercel";
import { createApp } from "../src/app.ts";

export const { GET, POST, DELETE, OPTIONS } = handle(createApp(process.env), {
  // The same number as `maxDuration` in vercel.json: tools see their signal fire a second before.
  maxDuration: 60,
});
