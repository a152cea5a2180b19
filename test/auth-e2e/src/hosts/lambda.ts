/**
 * The notes server behind the real Lambda `handle()` of @portico/adapter-lambda (buffered, API
 * Gateway HTTP API / payload 2.0 events), served by the package's dev server: every HTTP request
 * becomes an event whose `requestContext.domainName` is the dev server's own `127.0.0.1:PORT`.
 */
import { randomBytes } from "node:crypto";
import { handle } from "@portico/adapter-lambda";
import { installAwslambda, serveLambda } from "@portico/adapter-lambda/dev";
import { createNotesHandler, MCP_PATH } from "../notes-server.ts";
import type { Host } from "./host.ts";

export const lambdaHost: Host = {
  name: "lambda",
  keys: "jwksUrl configured",
  async start({ issuer, jwksUrl }) {
    installAwslambda();
    let handler: ReturnType<typeof createNotesHandler> | undefined;
    const lambda = handle({
      fetch: (request, env, ctx) =>
        handler === undefined ? new Response(null, { status: 503 }) : handler.fetch(request, env, ctx),
    });
    const server = await serveLambda(lambda, { port: 0, kind: "v2", timeoutMs: 30_000 });
    const url = `${server.url}${MCP_PATH}`;
    handler = createNotesHandler({
      resource: url,
      issuer,
      jwksUrl,
      secret: randomBytes(32).toString("base64url"),
    });
    return {
      url,
      async stop() {
        await server.close();
        handler?.close();
      },
    };
  },
};
