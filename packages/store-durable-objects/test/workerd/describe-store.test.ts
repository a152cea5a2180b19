import { env } from "cloudflare:workers";
import { describeStore } from "@portico/test-kit";
import { DurableObjectEventStore, durableObjectStores } from "../../src/index.ts";
import type { TestEnv } from "./worker.ts";

const namespace = (env as unknown as TestEnv).MCP_SESSIONS;

describeStore("Durable Objects (inside workerd)", () => ({
  stores: durableObjectStores(namespace),
  boundedEvents: (maxBytesPerSession: number) =>
    new DurableObjectEventStore(namespace, { maxBytesPerSession }),
}));
