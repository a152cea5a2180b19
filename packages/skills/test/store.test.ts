/** Skills kept in the shared stores: two instances (servers, handlers) over one set of memory stores. */
import { memoryStores, type ServerEvent } from "@portico/core";
import { describe, expect, it } from "vitest";
import { type SkillEntry, storeSkills } from "../src/index.ts";
import { eventually, modern, PDF, skill, testHandler, testServer } from "./_helpers.ts";

async function twoInstances(refreshMs = 60_000) {
  const stores = memoryStores();
  const make = async () => {
    const server = testServer();
    const handler = testHandler(server, stores);
    const events: ServerEvent[] = [];
    server.subscribe((e) => events.push(e));
    const skills = await storeSkills(server, { stores, refreshMs, onError: () => {} });
    return { server, handler, events, skills };
  };
  const a = await make();
  const b = await make();
  const close = async () => {
    for (const one of [a, b]) {
      await one.skills.close();
      one.handler.close();
    }
  };
  return { stores, a, b, close };
}

const names = async (handler: Parameters<typeof modern>[0]) =>
  ((await modern(handler, "skills/list")).result.skills as SkillEntry[]).map((s) => s.frontmatter.name);

describe("storeSkills", () => {
  it("a put on one instance is served by the other (bus), with list_changed on both; remove too", async () => {
    const { a, b, close } = await twoInstances();
    try {
      await a.skills.put(PDF);
      expect(await names(a.handler)).toEqual(["pdf-processing"]);
      await eventually(async () => expect(await names(b.handler)).toEqual(["pdf-processing"]));
      const png = await modern(b.handler, "resources/read", {
        uri: "skill://pdf-processing/assets/logo.png",
      });
      expect(png.result.contents[0].blob).toBe(
        Buffer.from(PDF.files["assets/logo.png"] as Uint8Array).toString("base64"),
      );
      for (const one of [a, b])
        expect(one.events).toContainEqual({ type: "list_changed", kind: "resources" });
      const onA = await modern(a.handler, "skills/get", { uri: "skill://pdf-processing/SKILL.md" });
      const onB = await modern(b.handler, "skills/get", { uri: "skill://pdf-processing/SKILL.md" });
      expect(onB.result.skill).toEqual(onA.result.skill);

      await b.skills.put(skill("pdf-processing", { "references/FORMS.md": "v2" }));
      await eventually(async () => {
        const read = await modern(a.handler, "resources/read", {
          uri: "skill://pdf-processing/references/FORMS.md",
        });
        expect(read.result.contents[0].text).toBe("v2");
      });

      expect(await b.skills.remove("pdf-processing")).toBe(true);
      expect(await b.skills.remove("pdf-processing")).toBe(false);
      await eventually(async () => expect(await names(a.handler)).toEqual([]));
      expect(b.skills.paths()).toEqual([]);
    } finally {
      await close();
    }
  });

  it("a late instance loads what is stored; a lost bus message is made up by the refresh", async () => {
    const stores = memoryStores();
    const first = testServer();
    const writer = await storeSkills(first, { stores, name: "team" });
    await writer.put(skill("git-workflow"));
    await writer.put(skill("acme/refunds"));

    const late = testServer();
    const lateHandler = testHandler(late, stores);
    const reader = await storeSkills(late, { stores, name: "team", refreshMs: 50 });
    expect(reader.paths()).toEqual(["acme/refunds", "git-workflow"]);
    expect(await names(lateHandler)).toEqual(["refunds", "git-workflow"]);

    // Another registry name is another set of skills.
    const other = await storeSkills(testServer(), { stores, name: "other" });
    expect(other.paths()).toEqual([]);

    // Change the index without a bus message: the refresh finds it.
    const silent = {
      ...stores,
      bus: { publish: async () => {}, subscribe: stores.bus.subscribe.bind(stores.bus) },
    };
    const quiet = await storeSkills(testServer(), { stores: silent, name: "team" });
    await quiet.put(skill("third"));
    await eventually(() => expect(reader.paths()).toEqual(["acme/refunds", "git-workflow", "third"]));
    for (const r of [writer, reader, other, quiet]) await r.close();
    await reader.close(); // idempotent
    lateHandler.close();
  });

  it("validates before writing and refuses a path another source serves", async () => {
    const { addSkills } = await import("../src/index.ts");
    const stores = memoryStores();
    const server = testServer();
    addSkills(server, [skill("static")]);
    const stored = await storeSkills(server, { stores });
    await expect(stored.put({ path: "x", files: { "SKILL.md": "nope" } })).rejects.toThrow(/Skill "x"/);
    await expect(stored.put(skill("static"))).rejects.toThrow(/already served by another source/);
    expect(await stores.sessions.get({ kind: "skills-registry", id: "default" })).toBeUndefined();
    await expect(storeSkills(server, { stores, refreshMs: 0 })).rejects.toThrow(/refreshMs/);
    await stored.close();
  });
});
