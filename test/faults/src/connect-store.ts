/**
 * The store an instance process uses, from its environment (FAULTS_STORE: redis | dynamodb |
 * memory; FAULTS_REDIS_URL; FAULTS_DYNAMO_ENDPOINT and FAULTS_TABLE; FAULTS_STORE_TIMEOUT_MS;
 * FAULTS_DYNAMO_RETRY_MS), shared by the fault suite's instance and the guard instance.
 */
import type { Stores } from "@portico/core";
import { dynamoDbStores } from "@portico/store-dynamodb";
import { redisStores } from "@portico/store-redis";
import { createClient } from "redis";

export interface ConnectedStores {
  /** `undefined` for FAULTS_STORE=memory (the handler's own memory stores). */
  stores: Stores | undefined;
  close(): Promise<void>;
}

export async function connectStores(
  env: NodeJS.ProcessEnv,
  report: (error: unknown, where: string) => void,
): Promise<ConnectedStores> {
  const kind = env.FAULTS_STORE ?? "memory";
  if (kind === "redis") {
    const client = createClient({
      url: env.FAULTS_REDIS_URL as string,
      // Fail commands at once while Redis is unreachable (the store README's advice), and reconnect
      // quickly: 50, 100, 200, 400, then every 500 ms.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 1000,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500),
      },
    }).on("error", (error: unknown) => report(error, "redis client"));
    await client.connect();
    const redis = redisStores({
      client,
      timeoutMs: Number(env.FAULTS_STORE_TIMEOUT_MS ?? 1000),
      onError: (error) => report(error, "redis bus"),
    });
    return {
      stores: redis,
      close: async () => {
        await redis.close().catch(() => {});
        client.destroy();
      },
    };
  }
  if (kind === "dynamodb") {
    const dynamo = dynamoDbStores({
      tableName: env.FAULTS_TABLE as string,
      endpoint: env.FAULTS_DYNAMO_ENDPOINT as string,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDFAULTS", secretAccessKey: "faults-secret" },
      busPollMs: 50,
      // The client's own timeouts and retries as shipped (5 s per attempt, 5 s of retries); the core's
      // storeTimeoutMs bounds every call. FAULTS_DYNAMO_RETRY_MS sets both, for experiments.
      ...(env.FAULTS_DYNAMO_RETRY_MS === undefined
        ? {}
        : {
            requestTimeoutMs: Number(env.FAULTS_DYNAMO_RETRY_MS),
            retry: { maxElapsedMs: Number(env.FAULTS_DYNAMO_RETRY_MS) },
          }),
      onError: (error) => report(error, "dynamodb bus"),
    });
    return { stores: dynamo, close: async () => dynamo.bus.close() };
  }
  return { stores: undefined, close: async () => {} };
}
