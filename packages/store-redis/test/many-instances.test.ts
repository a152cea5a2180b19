/**
 * Many instances, one session, on Redis: three separate Node processes (fresh module state each)
 * serve the quickstart through @portico/adapter-node with Redis stores, and one legacy session is
 * driven round-robin across them. Run twice: TCP clients with the pub/sub bus (node-redis and
 * ioredis side by side), and REST next to TCP clients, all on the polling bus.
 */
import { fileURLToPath } from "node:url";
import { type Instances, oneSessionAcrossInstances, startInstances } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, it } from "vitest";
import { useBackends } from "./_backends.ts";

const SCRIPT = fileURLToPath(new URL("./_instance.ts", import.meta.url));

const backends = useBackends();

const deployments = [
  {
    name: "node-redis, ioredis, node-redis on the pub/sub bus",
    clients: ["node-redis", "ioredis", "node-redis"],
    bus: "pubsub",
  },
  {
    name: "REST, node-redis, ioredis on the polling bus",
    clients: ["rest", "node-redis", "ioredis"],
    bus: "poll",
  },
];

for (const deployment of deployments) {
  describe(`one legacy session across three processes sharing Redis: ${deployment.name}`, () => {
    let instances: Instances | undefined;

    beforeAll(async () => {
      instances = await startInstances(
        SCRIPT,
        deployment.clients.map((client) => ({
          CLIENT: client,
          BUS: deployment.bus,
          REDIS_URL: backends.redis.url,
          REST_URL: backends.rest.url,
          REST_TOKEN: backends.rest.token,
        })),
      );
    }, 60_000);

    afterAll(async () => {
      await instances?.stop();
    });

    it("initialize on A, elicitation on B answered on C, a dropped stream resumed on A, DELETE on B", async () => {
      await oneSessionAcrossInstances(instances?.urls ?? []);
    }, 60_000);
  });
}
