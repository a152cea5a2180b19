import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describeAdapter } from "@portico/test-kit";
import { durableObjectStores, handle } from "../../src/index.ts";
import { invokeWorker, testEnv } from "./_fixtures.ts";
import { serveThroughWorker } from "./worker.ts";

// Production-like: every request is its own invocation of the test Worker, which serves the
// battery's app through `handle()`. Invocations share no I/O, so the legacy session's reply and
// wake-ups must travel through the Durable Object stores.
describeAdapter(
  "workers handle: separate invocations, Durable Object stores",
  async (app) => {
    serveThroughWorker(() => app);
    return {
      url: "http://localhost/mcp",
      fetch: invokeWorker,
      close: async () => serveThroughWorker(undefined),
    };
  },
  { stores: durableObjectStores(testEnv.MCP_SESSIONS) },
);

// The adapter alone: `handle(app).fetch(request, env, ctx)` called in the test's own context with
// a real ExecutionContext; the in-memory stores suffice there.
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
