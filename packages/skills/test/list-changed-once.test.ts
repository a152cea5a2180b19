/**
 * One skill change is one `list_changed` per kind, however many files the skill has (not one per
 * file, which every session's stream and the bus carried).
 */
import { memoryStores, type ServerEvent } from "@portico/core";
import { describe, expect, it } from "vitest";
import { addSkills, storeSkills } from "../src/index.ts";
import { eventually, skill, testServer } from "./_helpers.ts";

function manyFiles(count: number, text = "x"): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`f${i}.txt`] = `${text}${i}`;
  return files;
}

const listChanged = (events: ServerEvent[]) => events.filter((e) => e.type === "list_changed");

describe("list_changed per skill change", () => {
  it("addSkills: a put, a replace with other files and a remove of a 100-file skill emit one each", async () => {
    const server = testServer();
    const set = addSkills(server, []);
    const events: ServerEvent[] = [];
    server.subscribe((e) => events.push(e));
    await set.put(skill("big", manyFiles(99)));
    expect(server.registry("resources").size).toBe(100);
    expect(events).toEqual([{ type: "list_changed", kind: "resources" }]);
    events.length = 0;
    await set.put(skill("big", manyFiles(50)));
    expect(server.registry("resources").size).toBe(51);
    expect(events).toEqual([{ type: "list_changed", kind: "resources" }]);
    events.length = 0;
    // Same listing, other bytes: no list_changed, one resource_updated per changed file.
    await set.put(skill("big", manyFiles(50, "y")));
    expect(listChanged(events)).toEqual([]);
    expect(events).toHaveLength(50);
    events.length = 0;
    set.remove("big");
    expect(events).toEqual([{ type: "list_changed", kind: "resources" }]);
  });

  it("storeSkills: one put and one remove are one list_changed on each instance", async () => {
    const stores = memoryStores();
    const make = async () => {
      const server = testServer();
      const events: ServerEvent[] = [];
      server.subscribe((e) => events.push(e));
      const skills = await storeSkills(server, { stores, refreshMs: 60_000, onError: () => {} });
      events.length = 0;
      return { events, skills };
    };
    const a = await make();
    const b = await make();
    try {
      await a.skills.put(skill("big", manyFiles(99)));
      await eventually(() => expect(b.skills.paths()).toEqual(["big"]));
      for (const one of [a, b]) expect(listChanged(one.events)).toHaveLength(1);
      await a.skills.remove("big");
      await eventually(() => expect(b.skills.paths()).toEqual([]));
      for (const one of [a, b]) expect(listChanged(one.events)).toHaveLength(2);
    } finally {
      await a.skills.close();
      await b.skills.close();
    }
  });
});
