/** The README's example, as written: it serves both skills, in both eras. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { McpHandler } from "@portico/core";
import { afterAll, describe, expect, it } from "vitest";
import { legacySession, modern } from "./_helpers.ts";

const README = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
const example = /```ts\n([\s\S]*?)```/.exec(README)?.[1] ?? "";
// Inside the package, so its imports resolve as a user's would.
const dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the README example", () => {
  it("serves both skills, their files and directories", async () => {
    expect(example).toContain('from "@portico/skills"');
    const file = join(dir, "server.ts");
    writeFileSync(file, example.replace('from "@portico/skills"', 'from "../../src/index.ts"'));
    const { default: handler } = (await import(file)) as { default: McpHandler };
    try {
      const list = await modern(handler, "skills/list");
      expect(list.result.skills.map((s: { uri: string }) => s.uri)).toEqual([
        "skill://acme/git-workflow/SKILL.md",
        "skill://pdf-processing/SKILL.md",
      ]);
      const forms = await modern(handler, "resources/read", {
        uri: "skill://pdf-processing/references/FORMS.md",
      });
      expect(forms.result.contents[0].text).toContain("List the fields first");
      const legacy = await legacySession(handler);
      const dirRead = await legacy.call("resources/directory/read", { uri: "skill://pdf-processing" });
      expect(
        dirRead.result.resources.map((r: { uri: string; mimeType: string }) => [r.uri, r.mimeType]),
      ).toEqual([
        ["skill://pdf-processing/SKILL.md", "text/markdown"],
        ["skill://pdf-processing/references", "inode/directory"],
      ]);
    } finally {
      handler.close();
    }
  });
});
