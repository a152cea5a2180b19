/**
 * `settled(by)` with a deadline further away than a timer can wait (2^31−1 ms, about 24.8 days):
 * Node, Workers and browsers fire a longer delay after 1 ms, which would give up at once. Such a
 * deadline (or `Infinity`) cannot come before the work is done in practice, so it waits for the work.
 */
import { describe, expect, it } from "vitest";
import { createTracker } from "../src/index.ts";

const MAX_TIMER_MS = 2_147_483_647;

/** What `settled` resolves within `ms`, or "still waiting". */
async function within(settled: Promise<boolean>, ms: number): Promise<boolean | "still waiting"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"still waiting">((resolve) => {
    timer = setTimeout(() => resolve("still waiting"), ms);
  });
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("createTracker: settled(by) with a far deadline", () => {
  it.each([
    ["30 days away", () => Date.now() + 30 * 24 * 3_600_000],
    ["just past the timer limit", () => Date.now() + MAX_TIMER_MS + 1_000],
    ["Infinity", () => Number.POSITIVE_INFINITY],
  ])("a deadline %s does not give up at once while work is pending", async (_name, by) => {
    const tracker = createTracker();
    let finish = (): void => {};
    tracker.add(new Promise<void>((resolve) => (finish = resolve)));
    const settled = tracker.settled(by());
    expect(await within(settled, 100)).toBe("still waiting");
    finish();
    expect(await within(settled, 1_000)).toBe(true);
  });

  it("a deadline within the timer limit still gives up at it", async () => {
    const tracker = createTracker();
    tracker.add(new Promise(() => {}));
    expect(await within(tracker.settled(Date.now() + 50), 1_000)).toBe(false);
  });
});
