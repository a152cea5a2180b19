/**
 * A file named `__proto__` is a file like any other: kept by readSkillsFolder, by the generated
 * module and by the stores (before, an object literal or assignment made it the prototype).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { memoryStores } from "@portico/core";
import { afterAll, describe, expect, it } from "vitest";
import { type SkillDefinition, storeSkills } from "../src/index.ts";
import { readSkillsFolder, skillsModule } from "../src/node/index.ts";
import { modern, skillMd, testHandler, testServer } from "./_helpers.ts";

const tmp = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".proto-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `{ "SKILL.md": …, "__proto__": content }` with `__proto__` as an own file. */
function withProtoFile(name: string, content: string): Record<string, string> {
  return JSON.parse(
    `{"SKILL.md": ${JSON.stringify(skillMd(name))}, "__proto__": ${JSON.stringify(content)}}`,
  );
}

describe("a file named __proto__", () => {
  it("is read from the folder as an own file", async () => {
    const dir = join(tmp, "read");
    mkdirSync(join(dir, "one/sub"), { recursive: true });
    writeFileSync(join(dir, "one/SKILL.md"), skillMd("one"));
    writeFileSync(join(dir, "one/__proto__"), "a file named __proto__");
    writeFileSync(join(dir, "one/sub/__proto__"), "nested");
    const [one] = await readSkillsFolder(dir);
    const files = (one as SkillDefinition).files;
    expect(Object.keys(files).sort()).toEqual(["SKILL.md", "__proto__", "sub/__proto__"]);
    expect(Object.getOwnPropertyDescriptor(files, "__proto__")?.value).toBe("a file named __proto__");
    expect(Object.getPrototypeOf(files)).toBe(Object.prototype);
  });

  it("survives the generated module (typed and untyped)", async () => {
    for (const typed of [false, true]) {
      const code = skillsModule([{ path: "two", files: withProtoFile("two", "kept") }], typed);
      // The typed module's only annotations are on the array's declaration.
      const js = typed ? code.replace(/const skills: [^=]+=/, "const skills =") : code;
      const mod = await import(`data:text/javascript,${encodeURIComponent(js)}`);
      const files = mod.default[0].files as Record<string, string>;
      expect(Object.keys(files).sort()).toEqual(["SKILL.md", "__proto__"]);
      expect(Object.getOwnPropertyDescriptor(files, "__proto__")?.value).toBe("kept");
    }
  });

  it("is stored and served by another instance", async () => {
    const stores = memoryStores();
    const a = await storeSkills(testServer(), { stores, onError: () => {} });
    const server = testServer();
    const handler = testHandler(server, stores);
    const b = await storeSkills(server, { stores, onError: () => {} });
    try {
      await a.put({ path: "three", files: withProtoFile("three", "stored") });
      await b.sync();
      const read = await modern(handler, "resources/read", { uri: "skill://three/__proto__" });
      expect(read.result.contents[0].text).toBe("stored");
    } finally {
      await a.close();
      await b.close();
      handler.close();
    }
  });
});
