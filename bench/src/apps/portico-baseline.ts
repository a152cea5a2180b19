/**
 * Portico at the baseline ref (`BENCH_BASELINE=<ref>`, see ../baseline.ts) serving the same
 * two-number `add` tool as ./portico.ts, with that ref's definition API: `addTool(server, name,
 * config, handler)` where the ref exports it, else `server.tool(name, config, handler)` (as at
 * c5cd706), and `createHandler(server)`. The old core is passed in — loaded by
 * absolute path from the baseline worktree — and never imported by name here, so this file works
 * whatever API the current core has, and the old core never meets the new one in a module graph.
 */
import * as v from "valibot";
import type { FetchTarget } from "./_fetch-target.ts";

type AddHandler = (args: { a: number; b: number }) => string;
type AddConfig = { description: string; input: unknown };

/** The part of the old `@portico/core` this app uses. */
export interface BaselineCore {
  McpServer: new (info: {
    name: string;
    version: string;
  }) => {
    tool?(name: string, config: AddConfig, handler: AddHandler): unknown;
  };
  addTool?(server: never, name: string, config: AddConfig, handler: AddHandler): unknown;
  createHandler(server: never): FetchTarget;
}

/** The app on a loaded old core (the Lambda entry imports `McpServer` and `createHandler` by name). */
export function porticoBaseline(core: BaselineCore): FetchTarget {
  const server = new core.McpServer({ name: "bench", version: "1.0.0" });
  const config = { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) };
  const add: AddHandler = ({ a, b }) => String(a + b);
  if (core.addTool !== undefined) core.addTool(server as never, "add", config, add);
  else server.tool?.("add", config, add);
  const handler = core.createHandler(server as never);
  // env and ctx pass through, as in ./portico.ts (and what the adapter may pass, as there).
  const fetch: FetchTarget["fetch"] = (request, env, ctx) => handler.fetch(request, env, ctx);
  return handler.acceptsBufferedRequests === undefined
    ? { fetch }
    : { fetch, acceptsBufferedRequests: handler.acceptsBufferedRequests };
}

/** Imports the old core from `corePath` (an absolute path) and builds the app on it. */
export async function loadPorticoBaseline(corePath: string): Promise<FetchTarget> {
  const core = (await import(corePath)) as BaselineCore;
  return porticoBaseline(core);
}
