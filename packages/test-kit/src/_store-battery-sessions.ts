/** The SessionStore part of the store battery (`describeStore`). */

import type { StoreKey, Stores } from "@portico/core";
import { describe, expect, it } from "vitest";
import {
  CLOCK_SLACK_MS,
  freshKey,
  keysDifferingByOnePart,
  keysOfEveryShape,
  LARGE,
  SAMPLES,
  unique,
  waitUntil,
} from "./_store-battery-kit.ts";

export function sessionStoreTests(stores: () => Stores): void {
  describe("SessionStore", () => {
    it("reads an absent key as undefined", async () => {
      expect(await stores().sessions.get(freshKey("absent"))).toBeUndefined();
    });

    it("creates a record at version 1 expiring about ttl from now", async () => {
      const { sessions } = stores();
      const key = freshKey("create");
      const before = Date.now();
      expect(await sessions.create(key, { hello: "world" }, 60_000)).toBe(true);
      const after = Date.now();
      const record = await sessions.get(key);
      expect(record?.value).toStrictEqual({ hello: "world" });
      expect(record?.version).toBe(1);
      expect(record?.expiresAt).toBeGreaterThanOrEqual(before + 60_000 - CLOCK_SLACK_MS);
      expect(record?.expiresAt).toBeLessThanOrEqual(after + 60_000 + CLOCK_SLACK_MS);
    });

    it("keeps a record whose lifetime is far beyond any need (1e21 ms: for ever), through create and update", async () => {
      // The core accepts any finite lifetime; a store may cap it (Redis: 100 years), never refuse it.
      const { sessions } = stores();
      const key = freshKey("for-ever");
      const century = Date.now() + 50 * 365 * 86_400_000;
      expect(await sessions.create(key, "kept", 1e21)).toBe(true);
      expect(await sessions.get(key)).toMatchObject({ value: "kept", version: 1 });
      expect((await sessions.get(key))?.expiresAt).toBeGreaterThan(century);
      expect(await sessions.update(key, 1, "still kept", Number.MAX_VALUE)).toBe(true);
      expect(await sessions.get(key)).toMatchObject({ value: "still kept", version: 2 });
      expect((await sessions.get(key))?.expiresAt).toBeGreaterThan(century);
    });

    it("create-if-absent resolves false on a live record and does not overwrite it", async () => {
      const { sessions } = stores();
      const key = freshKey("create-twice");
      expect(await sessions.create(key, "first", 60_000)).toBe(true);
      expect(await sessions.create(key, "second", 60_000)).toBe(false);
      expect(await sessions.get(key)).toMatchObject({ value: "first", version: 1 });
    });

    it("update with the current version writes, increments the version and resets expiry", async () => {
      const { sessions } = stores();
      const key = freshKey("update");
      await sessions.create(key, { n: 0 }, 60_000);
      expect(await sessions.update(key, 1, { n: 1 }, 60_000)).toBe(true);
      expect(await sessions.get(key)).toMatchObject({ value: { n: 1 }, version: 2 });
      const before = Date.now();
      expect(await sessions.update(key, 2, { n: 2 }, 600_000)).toBe(true);
      const after = Date.now();
      const record = await sessions.get(key);
      expect(record).toMatchObject({ value: { n: 2 }, version: 3 });
      expect(record?.expiresAt).toBeGreaterThanOrEqual(before + 600_000 - CLOCK_SLACK_MS);
      expect(record?.expiresAt).toBeLessThanOrEqual(after + 600_000 + CLOCK_SLACK_MS);
    });

    it("update with a stale or future version fails and leaves the record", async () => {
      const { sessions } = stores();
      const key = freshKey("stale");
      await sessions.create(key, "v1", 60_000);
      await sessions.update(key, 1, "v2", 60_000);
      expect(await sessions.update(key, 1, "stale", 60_000)).toBe(false);
      expect(await sessions.update(key, 3, "future", 60_000)).toBe(false);
      expect(await sessions.update(key, 0, "zero", 60_000)).toBe(false);
      expect(await sessions.get(key)).toMatchObject({ value: "v2", version: 2 });
    });

    it("update of an absent key fails and creates nothing", async () => {
      const { sessions } = stores();
      const key = freshKey("update-absent");
      expect(await sessions.update(key, 1, "nope", 60_000)).toBe(false);
      expect(await sessions.update(key, 0, "nope", 60_000)).toBe(false);
      expect(await sessions.get(key)).toBeUndefined();
    });

    it("delete removes the record, and a new create starts again at version 1", async () => {
      const { sessions } = stores();
      const key = freshKey("delete");
      await sessions.create(key, "old", 60_000);
      await sessions.update(key, 1, "older", 60_000);
      await sessions.delete(key);
      expect(await sessions.get(key)).toBeUndefined();
      expect(await sessions.update(key, 2, "ghost", 60_000)).toBe(false);
      expect(await sessions.create(key, "new", 60_000)).toBe(true);
      expect(await sessions.get(key)).toMatchObject({ value: "new", version: 1 });
    });

    it("delete of an absent key resolves", async () => {
      const key = freshKey("delete-absent");
      await expect(stores().sessions.delete(key)).resolves.toBeUndefined();
      await expect(stores().sessions.delete(key)).resolves.toBeUndefined();
    });

    it("an expired record reads as absent, cannot be updated and can be created again", async () => {
      const { sessions } = stores();
      const key = freshKey("expiry");
      const other = freshKey("expiry-long");
      expect(await sessions.create(key, "short-lived", 300)).toBe(true);
      await sessions.create(other, "long-lived", 60_000);
      await waitUntil(async () => (await sessions.get(key)) === undefined, "the record to expire");
      expect(await sessions.update(key, 1, "revived", 60_000)).toBe(false);
      expect(await sessions.get(key)).toBeUndefined();
      expect(await sessions.create(key, "reborn", 60_000)).toBe(true);
      expect(await sessions.get(key)).toMatchObject({ value: "reborn", version: 1 });
      expect(await sessions.get(other)).toMatchObject({ value: "long-lived", version: 1 });
    });

    it("exactly one of 10 concurrent creates wins", async () => {
      const { sessions } = stores();
      const key = freshKey("create-race");
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => sessions.create(key, i, 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await sessions.get(key)).toMatchObject({ value: results.indexOf(true), version: 1 });
    });

    it("exactly one of 10 concurrent updates from the same version wins", async () => {
      const { sessions } = stores();
      const key = freshKey("cas-race");
      await sessions.create(key, { winner: null }, 60_000);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => sessions.update(key, 1, { winner: i }, 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await sessions.get(key)).toMatchObject({
        value: { winner: results.indexOf(true) },
        version: 2,
      });
    });

    it("round-trips JSON values exactly through create and update", async () => {
      const { sessions } = stores();
      for (const [label, value] of Object.entries(SAMPLES)) {
        const key = freshKey(`value-${label.replaceAll(" ", "-")}`);
        await sessions.create(key, value, 60_000);
        expect((await sessions.get(key))?.value, label).toStrictEqual(value);
        await sessions.update(key, 1, { wrapped: value }, 60_000);
        expect((await sessions.get(key))?.value, label).toStrictEqual({ wrapped: value });
      }
    });

    it("round-trips a 100 KB string", async () => {
      const { sessions } = stores();
      const key = freshKey("large");
      await sessions.create(key, { text: LARGE }, 60_000);
      expect((await sessions.get(key))?.value).toStrictEqual({ text: LARGE });
    });

    it("keeps keys isolated, including keys that prefix one another", async () => {
      const { sessions } = stores();
      const session = unique("iso");
      const base: StoreKey = { kind: "iso", session };
      const a: StoreKey = { kind: "iso", session, id: "a" };
      const ab: StoreKey = { kind: "iso", session, id: "ab" };
      const slash: StoreKey = { kind: "iso", session: `${session}/a` };
      const deeper: StoreKey = { kind: "iso", session, id: "a:b" };
      for (const [i, key] of [base, a, ab, slash, deeper].entries()) await sessions.create(key, i, 60_000);
      await sessions.update(a, 1, "changed", 60_000);
      await sessions.delete(ab);
      expect(await sessions.get(base)).toMatchObject({ value: 0, version: 1 });
      expect(await sessions.get(a)).toMatchObject({ value: "changed", version: 2 });
      expect(await sessions.get(ab)).toBeUndefined();
      expect(await sessions.get(slash)).toMatchObject({ value: 3, version: 1 });
      expect(await sessions.get(deeper)).toMatchObject({ value: 4, version: 1 });
    });

    it("takes keys with and without session and id", async () => {
      const { sessions } = stores();
      for (const [shape, key] of Object.entries(keysOfEveryShape("shape"))) {
        expect(await sessions.get(key), shape).toBeUndefined();
        expect(await sessions.create(key, { shape }, 60_000), shape).toBe(true);
        expect(await sessions.create(key, "again", 60_000), shape).toBe(false);
        expect(await sessions.get(key), shape).toMatchObject({ value: { shape }, version: 1 });
        expect(await sessions.update(key, 1, { shape, n: 2 }, 60_000), shape).toBe(true);
        expect(await sessions.get(key), shape).toMatchObject({ value: { shape, n: 2 }, version: 2 });
        await sessions.delete(key);
        expect(await sessions.get(key), shape).toBeUndefined();
        expect(await sessions.create(key, "reborn", 60_000), shape).toBe(true);
        expect(await sessions.get(key), shape).toMatchObject({ value: "reborn", version: 1 });
      }
    });

    it("keeps keys apart that differ only in kind, session or id", async () => {
      const { sessions } = stores();
      const keys = keysDifferingByOnePart("part");
      for (const [i, key] of keys.entries()) expect(await sessions.create(key, i, 60_000)).toBe(true);
      // Each key is its own record: writing one never touches another.
      expect(await sessions.update(keys[4]!, 1, "updated", 60_000)).toBe(true);
      await sessions.delete(keys[2]!);
      for (const [i, key] of keys.entries()) {
        const expected = i === 4 ? { value: "updated", version: 2 } : { value: i, version: 1 };
        if (i === 2) expect(await sessions.get(key), JSON.stringify(key)).toBeUndefined();
        else expect(await sessions.get(key), JSON.stringify(key)).toMatchObject(expected);
      }
      expect(await sessions.create(keys[2]!, "again", 60_000)).toBe(true);
    });
  });
}
