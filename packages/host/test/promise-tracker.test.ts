/**
 * `createTracker`: what adapters await before an invocation ends (`ctx.waitUntil` work) or a server
 * stops (in-flight requests) — work added while waiting is waited for too, and `settled(by)` gives
 * up at a deadline.
 */
import { describe, expect, it } from "vitest";
import { createTracker } from "../src/index.ts";

const after = (ms: number, then?: () => void) =>
  new Promise<void>((resolve) =>
    setTimeout(() => {
      then?.();
      resolve();
    }, ms),
  );

describe("createTracker", () => {
  it("waits for work added while waiting, not only what was pending when the wait began", async () => {
    const tracker = createTracker();
    const order: string[] = [];
    tracker.add(
      after(20, () => {
        order.push("first");
        tracker.add(after(60, () => order.push("added while waiting")));
      }),
    );
    expect(await tracker.settled()).toBe(true);
    order.push("settled");
    expect(order).toStrictEqual(["first", "added while waiting", "settled"]);
    expect(tracker.size).toBe(0);
  });

  it("settled(by) resolves false at the deadline when work is still pending, true when it is done", async () => {
    const tracker = createTracker();
    expect(await tracker.settled(Date.now() + 10)).toBe(true); // nothing pending
    tracker.add(new Promise(() => {})); // never settles
    const started = Date.now();
    expect(await tracker.settled(started + 50)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    const other = createTracker();
    other.add(after(10));
    expect(await other.settled(Date.now() + 1_000)).toBe(true);
  });

  it("swallows a rejection (the adapter reported it before tracking)", async () => {
    const tracker = createTracker();
    const rejected = Promise.reject(new Error("x"));
    rejected.catch(() => {});
    tracker.add(rejected);
    expect(await tracker.settled()).toBe(true);
  });
});
