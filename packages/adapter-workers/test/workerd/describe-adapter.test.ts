import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describeAdapter } from "@portico/test-kit";
import { handle } from "../../src/index.ts";
import { testEnv } from "./_fixtures.ts";

// The adapter alone: `handle(app).fetch(request, env, ctx)` called in the test's own context with
// a real ExecutionContext; the in-memory stores suffice there. The same battery over separate
// invocations of a Worker (which share no I/O, so legacy sessions need durable stores) runs in
// @portico/store-durable-objects, on the Durable Object stores.
describeAdapter("workers handle: called directly, in-memory stores", async (app) => {
  const worker = handle(app);
  const pending: ExecutionContext[] = [];
  return {
    url: "http://localhost/mcp",
    fetch: (input, init) => {
      const ctx = createExecutionContext();
      pending.push(ctx);
      return worker.fetch(new Request(input, init), testEnv, ctx);
    },
    close: async () => {
      await Promise.all(pending.map((ctx) => waitOnExecutionContext(ctx)));
    },
  };
});
