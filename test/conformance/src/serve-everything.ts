/**
 * Runs the everything server on node:http: `pnpm everything` (PORT defaults to 3001).
 * Point the conformance suite, the MCP Inspector or any client at the printed URL.
 */
import { serve } from "@portico/adapter-node";
import { createEverythingApp, MCP_PATH } from "./app.ts";

const port = process.env.PORT ? Number(process.env.PORT) : 3001;
const app = createEverythingApp({ dynamicToolDelayMs: 2000 });
const server = await serve(app, { port, hostname: "127.0.0.1" });
console.log(`everything server listening on ${server.url}${MCP_PATH}`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  console.log(`${signal}: shutting down`);
  await server.close();
  app.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
