/**
 * `addSkills(server, skills, options)`: serves skills under the `io.modelcontextprotocol/skills`
 * extension (SEP-2640) — `skills/list`, `skills/get`, `resources/directory/read` and every file as a
 * `skill://` resource — in both eras. One catalog per server: later calls (and `storeSkills`) add
 * to it.
 */
import { addExtension, type McpServer, PorticoError } from "@portico/core";
import { SkillCatalog } from "./_catalog.ts";
import { skillMethods } from "./_methods.ts";
import {
  type CompiledSkill,
  checkLimit,
  compileSkill,
  type Limits,
  MAX_BYTES,
  MAX_FILES,
} from "./_validate.ts";
import type { SkillDefinition, SkillEntry, SkillSet, SkillsOptions } from "./types.ts";

/** The extension's identifier. */
export const SKILLS_EXTENSION = "io.modelcontextprotocol/skills";

interface Installed {
  readonly catalog: SkillCatalog;
  readonly limits: Limits;
  readonly options: string;
}

const installed = new WeakMap<McpServer, Installed>();

/**
 * Serves `skills` on `server` (validated now: a `PorticoError` names the skill and file) and
 * returns the set, to add, replace or remove skills at run time. Entries' digests are computed
 * with WebCrypto in the background; `skills/list` and `skills/get` wait for them.
 *
 * ```ts
 * const skills = addSkills(server, [{ path: "pdf-processing", files: { "SKILL.md": text } }]);
 * await skills.put({ path: "git-workflow", files: { "SKILL.md": other } });
 * ```
 */
export function addSkills(
  server: McpServer,
  skills: readonly SkillDefinition[] = [],
  options?: SkillsOptions,
): SkillSet {
  if (!Array.isArray(skills)) throw new PorticoError("invalid_config", "addSkills: skills must be an array");
  const { catalog, limits } = skillsOn(server, options);
  const compiled = compileAll(skills, limits);
  const owner = {};
  catalog.putAll(compiled, owner);
  return skillSet(catalog, limits, owner);
}

/**
 * The server's catalog, installing the extension on first use.
 * @internal For `storeSkills`.
 */
export function skillsOn(server: McpServer, options: SkillsOptions | undefined): Installed {
  const text = JSON.stringify(options ?? {});
  const prior = installed.get(server);
  if (prior !== undefined) {
    if (options !== undefined && text !== prior.options) {
      throw new PorticoError(
        "invalid_config",
        "This server already serves skills with other options; pass the options to the first addSkills/storeSkills call only",
      );
    }
    return prior;
  }
  const o = options ?? {};
  const limits = {
    maxFiles: checkLimit("maxFiles", o.maxFiles, MAX_FILES),
    maxBytes: checkLimit("maxBytes", o.maxBytes, MAX_BYTES),
  };
  const pageSize = o.pageSize === undefined ? undefined : checkLimit("pageSize", o.pageSize, 1);
  const directoryRead = o.directoryRead ?? true;
  if (o.cache?.ttlMs !== undefined && !(Number.isFinite(o.cache.ttlMs) && o.cache.ttlMs >= 0)) {
    throw new PorticoError(
      "invalid_config",
      `cache.ttlMs must be a non-negative number, got ${o.cache.ttlMs}`,
    );
  }
  const catalog = new SkillCatalog(server, { uniqueNames: o.uniqueNames ?? true });
  addExtension(server, {
    id: SKILLS_EXTENSION,
    settings: directoryRead ? { directoryRead: true } : {},
    methods: skillMethods(catalog, { pageSize, cache: o.cache, directoryRead }),
  });
  const result = { catalog, limits, options: text };
  installed.set(server, result);
  return result;
}

/** Compiles every skill, refusing two with one path. */
function compileAll(skills: readonly SkillDefinition[], limits: Limits): CompiledSkill[] {
  const seen = new Set<string>();
  return skills.map((definition) => {
    const skill = compileSkill(definition, limits);
    if (seen.has(skill.path)) throw new PorticoError("duplicate", `Skill "${skill.path}" is given twice`);
    seen.add(skill.path);
    return skill;
  });
}

/**
 * A `SkillSet` over `catalog` acting for `owner`.
 * @internal
 */
export function skillSet(catalog: SkillCatalog, limits: Limits, owner: object): SkillSet {
  return {
    put(definition) {
      try {
        return catalog.put(compileSkill(definition, limits), owner);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    remove: (path) => catalog.remove(path, owner),
    paths: () => catalog.paths(owner),
    entry: async (path) => (catalog.paths(owner).includes(path) ? catalog.entry(path) : undefined),
    entries: async (): Promise<SkillEntry[]> => {
      const mine = catalog.paths(owner);
      return Promise.all(mine.map((path) => catalog.entry(path) as Promise<SkillEntry>));
    },
  };
}
