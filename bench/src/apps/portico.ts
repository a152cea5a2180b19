/** Portico serving the two-number `add` tool. */
import { addTool, createHandler, McpServer } from "@portico/core";
import * as v from "valibot";
import type { FetchTarget } from "./_fetch-target.ts";

/** `secret` (optional) seals MRTR requestState; a Lambda deployment sets it (`PORTICO_SECRET`). */
export function portico(secret?: string): FetchTarget {
  const server = new McpServer({ name: "bench", version: "1.0.0" });
  addTool(
    server,
    "add",
    { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
    ({ a, b }) => String(a + b),
  );
  const handler = createHandler(server, secret === undefined ? {} : { secret });
  // env and ctx pass through: ctx tells the core what the adapter can take (buffered responses),
  // and acceptsBufferedRequests tells the adapter what the core can take (no undici on Node).
  return {
    acceptsBufferedRequests: handler.acceptsBufferedRequests,
    fetch: (request, env, ctx) => handler.fetch(request, env, ctx),
  };
}
