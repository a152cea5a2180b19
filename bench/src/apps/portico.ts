/** Portico serving the two-number `add` tool: both eras (`portico`), or 2026-07-28 only (`porticoModern`). */
import { addTool, createHandler, createModernHandler, type McpHandler, McpServer } from "@portico/core";
import * as v from "valibot";
import type { FetchTarget } from "./_fetch-target.ts";

/** The `add` server every Portico target serves. */
export function addServer(): McpServer {
  const server = new McpServer({ name: "bench", version: "1.0.0" });
  addTool(
    server,
    "add",
    { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
    ({ a, b }) => String(a + b),
  );
  return server;
}

function target(handler: McpHandler): FetchTarget {
  // env and ctx pass through: ctx tells the core what the adapter can take (buffered responses),
  // and acceptsBufferedRequests tells the adapter what the core can take (no undici on Node).
  return {
    acceptsBufferedRequests: handler.acceptsBufferedRequests,
    fetch: (request, env, ctx) => handler.fetch(request, env, ctx),
  };
}

/** `secret` (optional) seals MRTR requestState; a Lambda deployment sets it (`PORTICO_SECRET`). */
export function portico(secret?: string): FetchTarget {
  return target(createHandler(addServer(), secret === undefined ? {} : { secret }));
}

/** The same server through `createModernHandler`: no 2025-era code in its bundle. */
export function porticoModern(secret?: string): FetchTarget {
  return target(createModernHandler(addServer(), secret === undefined ? {} : { secret }));
}
