/**
 * One handler process of the many-instances test: the quickstart server with Redis stores,
 * served by `@portico/adapter-node` on 127.0.0.1. Fresh module state per process; everything
 * shared lives in Redis. CLIENT picks node-redis, ioredis or rest (REDIS_URL or REST_URL and
 * REST_TOKEN say where), BUS the bus kind. Prints {"url"} once listening; SIGTERM stops it.
 */
import { serve } from "@portico/adapter-node";
import { createHandler } from "@portico/core";
import { createQuickstartServer } from "@portico/example-quickstart/tools";
import Redis from "ioredis";
import { createClient } from "redis";
import type { RedisClientLike } from "../src/index.ts";
import { RedisRestClient, redisStores } from "../src/index.ts";

const env = process.env as Record<string, string>;
let client: RedisClientLike;
let closeClient = async () => {};
if (env.CLIENT === "node-redis") {
  const nodeRedis = await createClient({ url: env.REDIS_URL as string })
    .on("error", (error) => console.error("redis:", error))
    .connect();
  client = nodeRedis;
  closeClient = async () => nodeRedis.destroy();
} else if (env.CLIENT === "ioredis") {
  const ioredis = new Redis(env.REDIS_URL as string);
  client = ioredis;
  closeClient = async () => ioredis.disconnect();
} else {
  client = new RedisRestClient({ url: env.REST_URL as string, token: env.REST_TOKEN as string });
}
const stores = redisStores({ client, bus: env.BUS === "poll" ? "poll" : "pubsub", busPollMs: 50 });
// Shared configuration, as every instance of one deployment has it.
const app = createHandler(createQuickstartServer(), {
  stores,
  secret: "many-instances-test-secret-of-32-bytes-or-more",
});
const server = await serve(app, { port: 0, hostname: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ url: `${server.url}/mcp` })}\n`);
process.once("SIGTERM", () => {
  void server
    .close()
    .then(() => stores.close())
    .then(closeClient)
    .then(() => process.exit(0));
});
