/** Node: `npm start` serves the REST API and `/mcp` on http://127.0.0.1:3000. */
import { serve } from "@portico/adapter-node";
import { createApp } from "./app.ts";

const http = await serve(await createApp(), {
  port: Number(process.env.PORT ?? 3000),
  hostname: "127.0.0.1",
  handleSignals: true,
});
console.log(`Books API on ${http.url}/books, its MCP server on ${http.url}/mcp`);
