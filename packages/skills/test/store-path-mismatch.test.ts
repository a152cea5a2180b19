/**
 * A stored record whose path is not its index key (a hand-edited or corrupted index): refused and
 * reported, never served under a path the index does not name.
 */
import { memoryStores } from "@portico/core";
import { describe, expect, it } from "vitest";
import { type SkillEntry, storeSkills } from "../src/index.ts";
import { modern, skillMd, testHandler, testServer } from "./_helpers.ts";

const TTL = 3_600_000;

describe("storeSkills and a record whose path differs from its index key", () => {
  it("is refused (onError names both paths) and nothing is served", async () => {
    const stores = memoryStores();
    await stores.sessions.create(
      { kind: "skills-registry-skill", id: "default:h1" },
      { path: "y", files: { "SKILL.md": { text: skillMd("y") } } },
      TTL,
    );
    await stores.sessions.create({ kind: "skills-registry", id: "default" }, { skills: { x: "h1" } }, TTL);
    const server = testServer();
    const handler = testHandler(server, stores);
    const errors: unknown[] = [];
    const skills = await storeSkills(server, { stores, refreshMs: 60_000, onError: (e) => errors.push(e) });
    try {
      expect(skills.paths()).toEqual([]);
      const listed = (await modern(handler, "skills/list")).result.skills as SkillEntry[];
      expect(listed).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(String(errors[0])).toMatch(/"x".*"y"|"y".*"x"/);
      // The index path is free: a put there serves its own record.
      await skills.put({ path: "x", files: { "SKILL.md": skillMd("x") } });
      expect(skills.paths()).toEqual(["x"]);
      expect(await skills.remove("x")).toBe(true);
      expect(skills.paths()).toEqual([]);
    } finally {
      await skills.close();
      handler.close();
    }
  });
});
