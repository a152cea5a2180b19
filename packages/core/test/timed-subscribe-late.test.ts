/**
 * A bus subscribe the store confirms only after `storeTimeoutMs`: the caller got a
 * `StoreUnavailableError` and will never unsubscribe, so the late subscription is dropped at once
 * instead of staying on the bus for ever.
 */
import { describe, expect, it } from "vitest";
import { MemoryBus, memoryStores, type Stores, StoreUnavailableError } from "../src/index.ts";
import { timedStores } from "../src/stores/timed.ts";

describe("timedStores: a subscribe confirmed after the timeout", () => {
  it("rejects, and the subscription confirmed later is unsubscribed", async () => {
    const bus = new MemoryBus();
    let live = 0;
    let confirm!: () => void;
    const slow: Stores = {
      ...memoryStores(),
      bus: {
        publish: (topic, message) => bus.publish(topic, message),
        subscribe: async (topic, onMessage) => {
          await new Promise<void>((resolve) => {
            confirm = resolve;
          });
          const sub = await bus.subscribe(topic, onMessage);
          live++;
          return {
            unsubscribe: async () => {
              live--;
              await sub.unsubscribe();
            },
          };
        },
      },
    };
    const timed = timedStores(slow, 20);
    const received: unknown[] = [];
    const topic = { kind: "broadcast" };
    await expect(timed.bus.subscribe(topic, (m) => received.push(m))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    confirm();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(live).toBe(0);
    await bus.publish(topic, { type: "after" });
    expect(received).toStrictEqual([]);
  });

  it("a subscribe in time is kept until unsubscribed", async () => {
    const bus = new MemoryBus();
    const timed = timedStores({ ...memoryStores(), bus }, 1000);
    const received: unknown[] = [];
    const topic = { kind: "broadcast" };
    const sub = await timed.bus.subscribe(topic, (m) => received.push(m));
    await bus.publish(topic, { n: 1 });
    await sub.unsubscribe();
    await bus.publish(topic, { n: 2 });
    expect(received).toStrictEqual([{ n: 1 }]);
  });
});
