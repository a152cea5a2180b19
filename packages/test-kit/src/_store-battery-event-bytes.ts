/**
 * The event-log size bound of the store battery (`describeStore`): a store's event log keeps at
 * most `maxBytesPerSession` bytes (as JSON text) of one session's events, evicting the session's
 * oldest events first and always keeping the newest, so a client cannot make the log grow without
 * bound by calling tools that answer large results.
 */

import type { EventStore, JsonValue } from "@portico/core";
import { describe, expect, it } from "vitest";
import { unique } from "./_store-battery-kit.ts";

/** An event store over the same backend whose logs hold at most `maxBytesPerSession` per session. */
export type BoundedEventStoreFactory = (maxBytesPerSession: number) => EventStore | Promise<EventStore>;

const CAP = 8 * 1024;

/** A message whose JSON text is exactly `bytes` long (bytes ≥ 20). */
function sized(label: string, bytes: number): JsonValue {
  const head = { l: label, p: "" };
  const padding = bytes - JSON.stringify(head).length;
  return { l: label, p: "x".repeat(padding) };
}

interface Appended {
  id: string;
  bytes: number;
}

/** Which of `appended` can still be replayed after (an evicted or trimmed id reads as unknown). */
async function live(events: EventStore, session: string, appended: Appended[]): Promise<boolean[]> {
  return Promise.all(appended.map(async (a) => (await events.replay(session, a.id)) !== undefined));
}

export function eventBytesTests(factory: () => BoundedEventStoreFactory | undefined): void {
  describe("EventStore bounded by maxBytesPerSession", () => {
    /** The bounded store, or the test is skipped (a fixture without one, such as a dev-only proxy). */
    const bounded = (skip: () => void, maxBytesPerSession: number) => {
      const make = factory();
      if (make === undefined) return skip() as never;
      return make(maxBytesPerSession);
    };
    it("keeps at most the bound, evicting the session's oldest events first across its streams", async ({
      skip,
    }) => {
      const events = await bounded(skip, CAP);
      const session = unique("bytes");
      const appended: Appended[] = [];
      for (let n = 0; n < 40; n++) {
        const bytes = 500 + (n % 3) * 100;
        const stream = n % 2 === 0 ? "even" : "odd";
        appended.push({ id: await events.append(session, stream, sized(`e${n}`, bytes)), bytes });
      }
      const kept = await live(events, session, appended);
      const first = kept.indexOf(true);
      // What stays is the newest events: a suffix in append order, over both streams.
      expect(first).toBeGreaterThan(0);
      expect(kept.slice(first).every(Boolean)).toBe(true);
      const keptBytes = appended.slice(first).reduce((sum, a) => sum + a.bytes, 0);
      expect(keptBytes).toBeLessThanOrEqual(CAP);
      // Eviction may go below the bound (to amortise it) but keeps at least half of it.
      expect(keptBytes).toBeGreaterThanOrEqual(CAP / 2);
      // Replay still answers the live events in order.
      const last = appended.at(-1)!;
      const lastOfEven = appended.at(-2)!;
      const beforeLastOfEven = appended.at(-4)!;
      expect((await events.replay(session, beforeLastOfEven.id))?.events.map((e) => e.id)).toStrictEqual([
        lastOfEven.id,
      ]);
      expect((await events.replay(session, last.id))?.events).toStrictEqual([]);
    });

    it("bounds each session on its own: a large log does not evict another session's events", async ({
      skip,
    }) => {
      const events = await bounded(skip, CAP);
      const quiet = unique("bytes-quiet");
      const noisy = unique("bytes-noisy");
      const small: Appended[] = [];
      for (let n = 0; n < 5; n++)
        small.push({ id: await events.append(quiet, "s", sized(`q${n}`, 100)), bytes: 100 });
      for (let n = 0; n < 30; n++) await events.append(noisy, "s", sized(`n${n}`, 1000));
      expect(await live(events, quiet, small)).toStrictEqual([true, true, true, true, true]);
    });

    it("always keeps the newest event, even one larger than the bound", async ({ skip }) => {
      const events = await bounded(skip, CAP);
      const session = unique("bytes-large");
      const before = { id: await events.append(session, "s", sized("small", 100)), bytes: 100 };
      const large = { id: await events.append(session, "s", sized("large", CAP * 2)), bytes: CAP * 2 };
      expect(await live(events, session, [before, large])).toStrictEqual([false, true]);
      // The next event makes the large one an old one over the bound: it goes, the new one stays.
      const after = { id: await events.append(session, "s", sized("next", 100)), bytes: 100 };
      expect(await live(events, session, [large, after])).toStrictEqual([false, true]);
    });

    it("counts from zero again after the session is trimmed", async ({ skip }) => {
      const events = await bounded(skip, CAP);
      const session = unique("bytes-trim");
      for (let n = 0; n < 20; n++) await events.append(session, "s", sized(`old${n}`, 1000));
      await events.trim(session);
      const fresh: Appended[] = [];
      for (let n = 0; n < 7; n++)
        fresh.push({ id: await events.append(session, "t", sized(`new${n}`, 1000)), bytes: 1000 });
      expect(await live(events, session, fresh)).toStrictEqual(fresh.map(() => true));
    });
  });
}
