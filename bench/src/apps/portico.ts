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

/**
 * `add` and `extra` more tools whose inputs look like a real server's (descriptions, optional
 * fields with defaults, enums, arrays, a nested object): what registering a server's tools costs
 * on a cold start. Each answers its `id`.
 */
export function manyToolsServer(extra: number): McpServer {
  const server = addServer();
  for (let i = 0; i < extra; i++) {
    addTool(
      server,
      `tool_${i}`,
      {
        description: `Looks up things of kind ${i}`,
        input: v.object({
          id: v.pipe(v.string(), v.description(`The id of a kind-${i} thing`), v.minLength(1)),
          limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)), 10),
          mode: v.picklist(["fast", "thorough"]),
          tags: v.optional(v.array(v.string())),
          range: v.optional(v.object({ from: v.string(), to: v.string() })),
        }),
      },
      ({ id }) => id,
    );
  }
  return server;
}

/** The `portico` target with 30 tools in all (`manyToolsServer(29)`). */
export function porticoManyTools(): FetchTarget {
  return target(createHandler(manyToolsServer(29)));
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
