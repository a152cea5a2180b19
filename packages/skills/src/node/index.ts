/**
 * `@portico/skills/node`: build-time helpers (Node only) — read a skills folder, bundle it into an
 * ES module that edge bundles import with no file system, and the `portico-skills` command.
 */
export type { CliIo } from "./cli.ts";
export { main as skillsCli, USAGE } from "./cli.ts";
export { readSkillsFolder } from "./read-folder.ts";
export type { BundleSummary } from "./write-module.ts";
export { skillsModule, writeSkillsModule } from "./write-module.ts";
