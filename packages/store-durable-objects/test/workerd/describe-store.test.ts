import { env } from "cloudflare:workers";
import { describeStore } from "@portico/test-kit";
import { durableObjectStores } from "../../src/index.ts";
import type { TestEnv } from "./worker.ts";

describeStore("Durable Objects (inside workerd)", () => ({
  stores: durableObjectStores((env as unknown as TestEnv).MCP_SESSIONS),
}));
