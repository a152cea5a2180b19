/**
 * `@portico/skills`: the MCP Skills extension (SEP-2640, `io.modelcontextprotocol/skills`) on
 * Portico. Edge-safe: Web APIs only (WebCrypto for digests); `@portico/skills/node` reads skill
 * folders and bundles them at build time.
 */
export { addSkills, SKILLS_EXTENSION } from "./add-skills.ts";
export type { SkillsFromStore, StoreSkillsOptions } from "./store.ts";
export { storeSkills } from "./store.ts";
export type {
  SkillDefinition,
  SkillEntry,
  SkillFileContent,
  SkillResourceRef,
  SkillSet,
  SkillsCacheHints,
  SkillsOptions,
} from "./types.ts";
export { validateSkill } from "./validate-skill.ts";
