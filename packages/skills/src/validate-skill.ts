/** `validateSkill(skill)`: the checks `addSkills` makes, without a server (build steps, CI). */
import { checkLimit, compileSkill, MAX_BYTES, MAX_FILES } from "./_validate.ts";
import type { SkillDefinition, SkillsOptions } from "./types.ts";

/**
 * Checks one skill as `addSkills` would (a `PorticoError` naming the skill and the file) and
 * returns its front matter.
 */
export function validateSkill(
  skill: SkillDefinition,
  options: Pick<SkillsOptions, "maxFiles" | "maxBytes"> = {},
): { name: string; frontmatter: Record<string, unknown> } {
  const compiled = compileSkill(skill, {
    maxFiles: checkLimit("maxFiles", options.maxFiles, MAX_FILES),
    maxBytes: checkLimit("maxBytes", options.maxBytes, MAX_BYTES),
  });
  return { name: compiled.name, frontmatter: compiled.frontmatter };
}
