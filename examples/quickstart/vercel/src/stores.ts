/**
 * Where the legacy era (2024-11-05 … 2025-11-25) keeps sessions, event logs and the bus. Vercel
 * runs many instances and `vercel dev` a fresh process per request, so they must outlive one
 * process: memory stores only serve a single long-lived process. (Under a plain `vercel dev` with
 * none of these configured, app.ts takes the adapter's dev daemon: `vercelDevDefaults`.)
 */

import { devStores } from "@portico/adapter-vercel/dev";
import type { Stores } from "@portico/core";
import { RedisRestClient, redisStores } from "@portico/store-redis";

export type Env = Readonly<Record<string, string | undefined>>;

/** The stores configured for this deployment, or `undefined` when none are. */
export function storesFrom(env: Env): Stores | undefined {
  // Upstash Redis over its REST API (Node.js and Edge runtimes alike): the variables Upstash's
  // Vercel integration sets (`KV_REST_API_*` from the Vercel KV days, `UPSTASH_REDIS_REST_*` now).
  const url = env.UPSTASH_REDIS_REST_URL ?? env.KV_REST_API_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN ?? env.KV_REST_API_TOKEN;
  if (url && token) {
    // REST has no pub/sub connection: the bus polls (see @portico/store-redis).
    return redisStores({ client: new RedisRestClient({ url, token }), bus: "poll" });
  }
  // `startVercelDev` (with its default `devStores: true`, as the e2e tests run it) shares one set
  // of memory stores held in its own process; the token comes from PORTICO_DEV_STORES_TOKEN.
  if (env.PORTICO_DEV_STORES_URL) {
    const devToken = env.PORTICO_DEV_STORES_TOKEN;
    return devStores(env.PORTICO_DEV_STORES_URL, devToken ? { token: devToken } : {});
  }
  return undefined;
}
