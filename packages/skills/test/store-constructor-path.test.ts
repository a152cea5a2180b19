/**
 * Skill paths that are names of Object.prototype properties (`constructor`): stored, served and
 * removed like any other path (the index is read by own properties only).
 */
import { memoryStores } from "@portico/core";
import { describe, expect, it } from "vitest";
import { type SkillEntry, storeSkills } from "../src/index.ts";
import { eventually, modern, skill, testHandler, testServer } from "./_helpers.ts";

describe("storeSkills and a skill at path constructor", () => {
  it("is removed from every instance, and remove() before any put finds nothing", async () => {
    const stores = memoryStores();
    const make = async () => {
      const server = testServer();
      const handler = testHandler(server, stores);
      const skills = await storeSkills(server, { stores, refreshMs: 60_000, onError: () => {} });
      return { handler, skills };
    };
    const a = await make();
    const b = await make();
    const uris = async (one: typeof a) =>
      ((await modern(one.handler, "skills/list")).result.skills as SkillEntry[]).map((s) => s.uri);
    try {
      expect(await a.skills.remove("constructor")).toBe(false);
      await a.skills.put(skill("constructor"));
      await eventually(async () => expect(await uris(b)).toEqual(["skill://constructor/SKILL.md"]));
      expect(await a.skills.remove("constructor")).toBe(true);
      for (const one of [a, b]) {
        await eventually(async () => expect(await uris(one)).toEqual([]));
        expect(one.skills.paths()).toEqual([]);
      }
      expect(await a.skills.remove("constructor")).toBe(false);
    } finally {
      for (const one of [a, b]) {
        await one.skills.close();
        one.handler.close();
      }
    }
  });
});
