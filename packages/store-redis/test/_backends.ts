/** The servers a test file runs against: its own redis-server and the REST endpoint in front of it. */
import { afterAll, beforeAll } from "vitest";
import type { Target } from "./_clients.ts";
import { type RedisServer, startRedisServer } from "./_redis-server.ts";
import { type RestEndpoint, startRestEndpoint } from "./_rest-endpoint.ts";

export interface Backends {
  redis: RedisServer;
  rest: RestEndpoint;
  /** Where the clients connect without anything in between. */
  direct(): Target;
}

/**
 * Starts both before the file's tests (in a beforeAll registered now, so it runs before the
 * file's own) and stops them after all of them. Read the fields inside hooks and tests only.
 */
export function useBackends(): Backends {
  const backends: Backends = {
    redis: undefined as unknown as RedisServer,
    rest: undefined as unknown as RestEndpoint,
    direct: () => ({
      redisPort: backends.redis.port,
      restUrl: backends.rest.url,
      restToken: backends.rest.token,
    }),
  };
  beforeAll(async () => {
    backends.redis = await startRedisServer();
    backends.rest = await startRestEndpoint(backends.redis.port);
  }, 60_000);
  afterAll(async () => {
    await backends.rest?.close();
    await backends.redis?.stop();
  });
  return backends;
}
