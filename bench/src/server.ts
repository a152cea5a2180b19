/**
 * A server child process: `node server.ts <target|raw> <bridge>`. Prints one JSON line
 * `{"url": ...}` once listening on 127.0.0.1 and runs until SIGTERM (or its parent goes away).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { serve as honoServe } from "@hono/node-server";
import { serve } from "@portico/adapter-node";
import { ready } from "./_ready.ts";
import { rawAnswer } from "./requests.ts";
import { createTarget, type TargetName } from "./targets.ts";

export type Bridge = "portico-node" | "hono-node" | "raw";

/** The floor: node:http answering the same call without Request/Response objects. */
function rawHandler(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const out = rawAnswer(Buffer.concat(chunks).toString("utf8"));
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) });
    res.end(out);
  });
}

async function main(): Promise<void> {
  const [name, bridge] = process.argv.slice(2) as [string, Bridge];
  if (bridge === "raw") {
    const server = createServer(rawHandler);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      ready(`http://127.0.0.1:${port}/mcp`, () => process.exit(0));
    });
    return;
  }
  const handler = createTarget(name as TargetName);
  if (bridge === "portico-node") {
    const server = await serve(handler, { port: 0, hostname: "127.0.0.1", gracefulTimeoutMs: 500 });
    ready(`${server.url}/mcp`, () => process.exit(0));
    return;
  }
  if (bridge === "hono-node") {
    const server = honoServe(
      { fetch: (request) => handler.fetch(request), port: 0, hostname: "127.0.0.1" },
      (info) => ready(`http://127.0.0.1:${info.port}/mcp`, () => process.exit(0)),
    );
    server.on("error", (error) => {
      console.error(error);
      process.exit(1);
    });
    return;
  }
  throw new Error(`unknown bridge: ${String(bridge)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
