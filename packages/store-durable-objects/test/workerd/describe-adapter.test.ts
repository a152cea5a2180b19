import { describeAdapter } from "@portico/test-kit";
import { durableObjectStores } from "../../src/index.ts";
import { invokeWorker, testEnv } from "./_fixtures.ts";
import { serveThroughWorker } from "./worker.ts";

// Production-like: every request is its own invocation of the test Worker, which serves the
// battery's app through `handle()` from @portico/adapter-workers. Invocations share no I/O, so
// the legacy session's reply and wake-ups must travel through the Durable Object stores.
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
