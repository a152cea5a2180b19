/**
 * The skills of the everything server (SEP-2640): the `pdf-processing` skill of `skills/`, bundled
 * into `_skills.generated.ts` by `portico-skills bundle skills --out src/_skills.generated.ts`, so
 * every target (Workers included) serves it with no file system.
 */
import type { McpServer } from "@portico/core";
// A relative import: this package does not depend on @portico/skills (no install in this change).
import { addSkills } from "@portico/skills";
import skills from "./_skills.generated.ts";

export function registerSkills(server: McpServer): void {
  addSkills(server, skills, { directoryRead: true });
}
