/** The everything server's bundled skills are those of `skills/` (re-bundle after editing them). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { readSkillsFolder, skillsModule } from "../../../packages/skills/src/node/index.ts";

it("src/_skills.generated.ts is up to date with skills/", async () => {
  const skills = await readSkillsFolder(fileURLToPath(new URL("../skills", import.meta.url)));
  const generated = readFileSync(new URL("../src/_skills.generated.ts", import.meta.url), "utf8");
  expect(
    generated,
    "run: node --conditions=@portico/source ../../packages/skills/bin/… bundle skills --out src/_skills.generated.ts",
  ).toBe(skillsModule(skills, true));
  expect(skills.map((s) => s.path)).toEqual(["pdf-processing"]);
});
