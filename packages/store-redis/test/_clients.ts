/** The three ways to reach Redis the package supports, opened the same way for every test. */
import Redis from "ioredis";
import { createClient } from "redis";
import type { RedisClientLike, RedisStores, RedisStoresOptions } from "../src/index.ts";
import { RedisRestClient, redisStores } from "../src/index.ts";

export type Flavour = "node-redis" | "ioredis" | "rest";
export const FLAVOURS: Flavour[] = ["node-redis", "ioredis", "rest"];

export interface Target {
  /** redis-server's port (or a proxy's in front of it), for the TCP clients. */
  redisPort: number;
  /** The REST endpoint's URL (or a proxy's in front of it), for the REST client. */
  restUrl?: string;
  restToken?: string;
}

export interface OpenedClient {
  client: RedisClientLike;
  close(): Promise<void>;
}

/** Quick reconnects so tests that take Redis away do not wait long for it to come back. */
const reconnectDelay = (attempt: number) => Math.min(25 * 2 ** attempt, 250);

export async function openClient(flavour: Flavour, target: Target): Promise<OpenedClient> {
  if (flavour === "node-redis") {
    const client = createClient({
      url: `redis://127.0.0.1:${target.redisPort}`,
      socket: { reconnectStrategy: reconnectDelay },
    });
    // node-redis requires an error listener; connection errors also reach the callers' promises.
    client.on("error", () => {});
    await client.connect();
    return { client, close: async () => client.destroy() };
  }
  if (flavour === "ioredis") {
    const client = new Redis({ host: "127.0.0.1", port: target.redisPort, retryStrategy: reconnectDelay });
    client.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      client.once("ready", resolve);
      client.once("error", reject);
    });
    return { client, close: async () => client.disconnect() };
  }
  if (!target.restUrl || !target.restToken) throw new Error("no REST endpoint given");
  return {
    client: new RedisRestClient({ url: target.restUrl, token: target.restToken }),
    close: async () => {},
  };
}

export interface OpenedStores {
  stores: RedisStores;
  client: RedisClientLike;
  close(): Promise<void>;
}

export async function openStores(
  flavour: Flavour,
  target: Target,
  options: Partial<RedisStoresOptions> = {},
): Promise<OpenedStores> {
  const opened = await openClient(flavour, target);
  const stores = redisStores({ client: opened.client, busPollMs: 20, ...options });
  return {
    stores,
    client: opened.client,
    close: async () => {
      await stores.close();
      await opened.close();
    },
  };
}
