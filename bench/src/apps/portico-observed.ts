/**
 * Portico's `add` app with `@portico/observe` in each configuration the overhead bench compares:
 * switched off (`enabled: false`), installed but silent, request logs at info, logs + EMF metrics. Lines and EMF documents are serialised and
 * written, as in production, to /dev/null.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { addTool, createHandler, McpServer, memoryStores } from "@portico/core";
import { batchedWriter, emfMetrics, jsonLines, type ObserveOptions, observe } from "@portico/observe";
import * as v from "valibot";
import type { FetchTarget } from "./_fetch-target.ts";

export type Observed = "off" | "silent" | "logs" | "logs+metrics";

let devNull: number | undefined;
/** /dev/null in place of stdout: a real write system call per batch, as stdout costs. */
const writer = batchedWriter((chunk) => {
  devNull ??= openSync("/dev/null", "w");
  writeSync(devNull, chunk);
});

export function closeDevNull(): void {
  if (devNull !== undefined) closeSync(devNull);
  devNull = undefined;
}

function options(mode: Observed): ObserveOptions {
  const sink = jsonLines(writer);
  switch (mode) {
    case "off":
      return { enabled: false };
    case "silent":
      return { requests: false, level: "silent" };
    case "logs":
      return { sink };
    case "logs+metrics":
      return { sink, metrics: emfMetrics({ write: writer }) };
  }
}

export function porticoObserved(mode: Observed): FetchTarget {
  const ops = observe(options(mode));
  const server = new McpServer({ name: "bench", version: "1.0.0" });
  server.use(ops);
  addTool(
    server,
    "add",
    { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
    ({ a, b }) => String(a + b),
  );
  const handler = createHandler(server, { stores: ops.stores(memoryStores()), onError: ops.onError });
  return {
    acceptsBufferedRequests: handler.acceptsBufferedRequests,
    fetch: (request, env, ctx) => handler.fetch(request, env, ctx),
  };
}
