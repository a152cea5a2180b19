/** The EventStore part of the store battery (`describeStore`). */

import type { JsonValue, Stores } from "@portico/core";
import { describe, expect, it } from "vitest";
import { SAMPLES, unique } from "./_store-battery-kit.ts";

export function eventStoreTests(stores: () => Stores): void {
  describe("EventStore", () => {
    const ids = (list: { id: string }[] | undefined) => list?.map((event) => event.id);

    it("append resolves distinct ids made of visible ASCII (usable as SSE ids)", async () => {
      const { events } = stores();
      const session = unique("session");
      const appended = [
        await events.append(session, "s1", { n: 1 }),
        await events.append(session, "s1", { n: 2 }),
        await events.append(session, "s2", { n: 3 }),
      ];
      expect(new Set(appended).size).toBe(3);
      for (const id of appended) expect(id).toMatch(/^[\x21-\x7e]+$/);
    });

    it("replays what followed an id in its own stream, in order, with exact messages", async () => {
      const { events } = stores();
      const session = unique("session");
      const messages: JsonValue[] = [{ jsonrpc: "2.0", method: "a" }, SAMPLES.mixed!, SAMPLES.unicode!, null];
      const appended: string[] = [];
      for (const message of messages) appended.push(await events.append(session, "stream", message));
      const replay = await events.replay(session, appended[0]!);
      expect(replay?.streamId).toBe("stream");
      expect(replay?.events).toStrictEqual(
        messages.slice(1).map((message, i) => ({ id: appended[i + 1], message })),
      );
      expect(await events.replay(session, appended[2]!)).toStrictEqual({
        streamId: "stream",
        events: [{ id: appended[3], message: null }],
      });
    });

    it("keeps interleaved streams apart, even stream ids that prefix one another", async () => {
      const { events } = stores();
      const session = unique("session");
      const streams = ["a", "a/1", "a1", "x:y.z-_~"];
      const appended = new Map<string, string[]>(streams.map((s) => [s, []]));
      for (let round = 0; round < 3; round++) {
        for (const stream of streams)
          appended.get(stream)!.push(await events.append(session, stream, { stream, round }));
      }
      for (const stream of streams) {
        const own = appended.get(stream)!;
        const replay = await events.replay(session, own[0]!);
        expect(replay?.streamId).toBe(stream);
        expect(ids(replay?.events)).toStrictEqual(own.slice(1));
        expect(replay?.events.map((event) => event.message)).toStrictEqual([
          { stream, round: 1 },
          { stream, round: 2 },
        ]);
      }
    });

    it("never replays one session's ids in another session", async () => {
      const { events } = stores();
      const session = unique("session");
      const other = unique("session");
      const mine = await events.append(session, "shared-name", "mine");
      await events.append(session, "shared-name", "mine too");
      const theirs = await events.append(other, "shared-name", "theirs");
      await events.append(other, "shared-name", "theirs too");
      expect(await events.replay(other, mine)).toBeUndefined();
      expect(await events.replay(session, theirs)).toBeUndefined();
      expect((await events.replay(session, mine))?.events.map((e) => e.message)).toStrictEqual(["mine too"]);
      expect((await events.replay(other, theirs))?.events.map((e) => e.message)).toStrictEqual([
        "theirs too",
      ]);
    });

    it("resolves undefined for unknown ids", async () => {
      const { events } = stores();
      const session = unique("session");
      const known = await events.append(session, "s", "x");
      for (const id of ["", "unknown", "s", "s/", "/", `${known}x`, `x${known}`]) {
        expect(await events.replay(session, id), id).toBeUndefined();
      }
      expect(await events.replay(unique("never-used-session"), known)).toBeUndefined();
    });

    it("replays an empty list after the last event of a stream", async () => {
      const { events } = stores();
      const session = unique("session");
      await events.append(session, "s", 1);
      const last = await events.append(session, "s", 2);
      await events.append(session, "other", 3);
      expect(await events.replay(session, last)).toStrictEqual({ streamId: "s", events: [] });
    });

    it("trims one stream and leaves the others", async () => {
      const { events } = stores();
      const session = unique("session");
      const a1 = await events.append(session, "a", 1);
      await events.append(session, "a", 2);
      const b1 = await events.append(session, "b", 3);
      const b2 = await events.append(session, "b", 4);
      await events.trim(session, "a");
      expect(await events.replay(session, a1)).toBeUndefined();
      expect(ids((await events.replay(session, b1))?.events)).toStrictEqual([b2]);
      const a3 = await events.append(session, "a", 5);
      const a4 = await events.append(session, "a", 6);
      expect(a3).not.toBe(a1);
      expect(await events.replay(session, a3)).toStrictEqual({
        streamId: "a",
        events: [{ id: a4, message: 6 }],
      });
      await events.trim(session, "never-existed");
      await events.trim(unique("never-used-session"), "a");
    });

    it("trims a whole session and leaves other sessions", async () => {
      const { events } = stores();
      const session = unique("session");
      const other = unique("session");
      const a = await events.append(session, "a", 1);
      const b = await events.append(session, "b", 2);
      const o1 = await events.append(other, "a", 3);
      const o2 = await events.append(other, "a", 4);
      await events.trim(session);
      expect(await events.replay(session, a)).toBeUndefined();
      expect(await events.replay(session, b)).toBeUndefined();
      expect(ids((await events.replay(other, o1))?.events)).toStrictEqual([o2]);
      await events.trim(session);
      await events.trim(unique("never-used-session"));
    });

    it("keeps 50 concurrent appends to one stream, each once, in one consistent order", async () => {
      const { events } = stores();
      const session = unique("session");
      const first = await events.append(session, "s", { n: -1 });
      const appended = await Promise.all(
        Array.from({ length: 50 }, (_, n) => events.append(session, "s", { n })),
      );
      expect(new Set(appended).size).toBe(50);
      const replay = await events.replay(session, first);
      const order = replay?.events ?? [];
      expect(order).toHaveLength(50);
      expect(new Set(ids(order))).toStrictEqual(new Set(appended));
      for (const event of order) expect(event.message).toStrictEqual({ n: appended.indexOf(event.id) });
      for (let k = 0; k < order.length; k++) {
        expect(ids((await events.replay(session, order[k]!.id))?.events)).toStrictEqual(
          ids(order.slice(k + 1)),
        );
      }
    });

    it("keeps concurrent appends to several streams and sessions apart", async () => {
      const { events } = stores();
      const targets = [unique("session"), unique("session")].flatMap((session) =>
        ["s1", "s2", "s3"].map((stream) => ({ session, stream })),
      );
      const heads = await Promise.all(targets.map((t) => events.append(t.session, t.stream, "head")));
      const appended = await Promise.all(
        targets.flatMap((t) =>
          Array.from({ length: 10 }, (_, n) =>
            events.append(t.session, t.stream, { ...t, n }).then((id) => ({ ...t, id })),
          ),
        ),
      );
      // Ids are unique within a session; two sessions may use the same id.
      const all = [...targets.map((t, i) => ({ ...t, id: heads[i]! })), ...appended];
      expect(new Set(all.map((e) => `${e.session} ${e.id}`)).size).toBe(all.length);
      for (const [i, t] of targets.entries()) {
        const replay = await events.replay(t.session, heads[i]!);
        expect(replay?.streamId).toBe(t.stream);
        const messages = replay?.events.map((event) => event.message) ?? [];
        expect(messages).toHaveLength(10);
        expect(messages).toEqual(expect.arrayContaining(Array.from({ length: 10 }, (_, n) => ({ ...t, n }))));
      }
    });
  });
}
