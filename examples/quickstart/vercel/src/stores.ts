/**
 * Where the legacy era (2024-11-05 … 2025-11-25) keeps sessions, event logs and the bus. Vercel
 * runs many instances and `vercel dev` a fresh process per request, so they must outlive one
 * process: memory stores only serve a single long-lived process.
 */

import { devStores } from "@portico/adapter-vercel/dev";
import type { Stores } from "@portico/core";
import { RedisRestClient, redisStores } from "@portico/store-redis";

export type Env = Readonly<Record<string, string | undefined>>;

/** The stores for this deployment, or `undefined` for the in-memory default. */
export function storesFrom(env: Env): Stores | undefined {
  // Upstash Redis over its REST API (Node.js and Edge runtimes alike): the variables Upstash's
  // Vercel integration sets (`KV_REST_API_*` from the Vercel KV days, `UPSTASH_REDIS_REST_*` now).
  const url = env.UPSTASH_REDIS_REST_URL ?? env.KV_REST_API_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN ?? env.KV_REST_API_TOKEN;
  if (url && token) {
    // REST has no pub/sub connection: the bus polls (see @portico/store-redis).
    return redisStores({ client: new RedisRestClient({ url, token }), bus: "poll" });
  }
  // `pnpm start` (scripts/dev.ts) shares one set of memory stores between vercel dev's processes.
  if (env.PORTICO_DEV_STORES_URL) return devStores(env.PORTICO_DEV_STORES_URL);
  return undefined;
}
