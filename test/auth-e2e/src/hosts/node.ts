/**
 * The notes server on Node: `serve()` of @portico/adapter-node on 127.0.0.1, a free port. The
 * resource URI contains the port, so the handler is made once the server listens. Its keys are
 * found through the issuer's metadata (no `jwksUrl`).
 */
import { randomBytes } from "node:crypto";
import { serve } from "@portico/adapter-node";
import { createNotesHandler, MCP_PATH } from "../notes-server.ts";
import type { Host } from "./host.ts";

export const nodeHost: Host = {
  name: "node",
  keys: "JWKS discovered from the issuer metadata",
  async start({ issuer }) {
    let handler: ReturnType<typeof createNotesHandler> | undefined;
    const server = await serve(
      {
        fetch: (request, env, ctx) =>
          handler === undefined ? new Response(null, { status: 503 }) : handler.fetch(request, env, ctx),
      },
      { port: 0, hostname: "127.0.0.1" },
    );
    const url = `${server.url}${MCP_PATH}`;
    handler = createNotesHandler({ resource: url, issuer, secret: randomBytes(32).toString("base64url") });
    return {
      url,
      async stop() {
        await server.close();
        handler?.close();
      },
    };
  },
};
