/** The public shapes of the skills extension: what you define, and what `skills/list` serves. */

/** A file's content: text (served as `text`) or bytes (served as a base64 `blob`). */
export type SkillFileContent = string | Uint8Array;

/**
 * One skill as you define it: where it lives in the `skill://` namespace and its files.
 *
 * ```ts
 * const skill: SkillDefinition = {
 *   path: "pdf-processing", // or nested: "acme/billing/refunds"
 *   files: { "SKILL.md": "---\nname: pdf-processing\ndescription: …\n---\n…", "references/FORMS.md": "…" },
 * };
 * ```
 */
export interface SkillDefinition {
  /**
   * The skill's path: one or more `/`-separated segments, the last being the skill's `name` (as in
   * its `SKILL.md` front matter). Its files are served at `skill://<path>/<file>`.
   */
  readonly path: string;
  /** The skill's files by their path inside the skill (`/`-separated); `SKILL.md` is required. */
  readonly files: Readonly<Record<string, SkillFileContent>>;
}

/** One file of a skill as an entry lists it: its URI, `sha256:<hex>` digest and size in bytes. */
export interface SkillResourceRef {
  readonly uri: string;
  readonly digest: string;
  readonly size: number;
}

/** A skill entry, as `skills/list` and `skills/get` serve it. */
export interface SkillEntry {
  /** The URI of the skill's `SKILL.md`. */
  readonly uri: string;
  /** The `SKILL.md` YAML front matter, verbatim, as JSON. */
  readonly frontmatter: Readonly<Record<string, unknown>>;
  /** Every file of the skill, `SKILL.md` included, each once. */
  readonly resources: readonly SkillResourceRef[];
}

/** Modern-era cache hints of `skills/list`, `skills/get` and `resources/directory/read` results. */
export interface SkillsCacheHints {
  /** `ttlMs` of the results. Default: the handler's (`HandlerOptions.cache`). */
  readonly ttlMs?: number;
  /** `cacheScope` of the results. Default: the handler's. */
  readonly scope?: "public" | "private";
}

/** Options of the skills extension on a server (the first `addSkills`/`storeSkills` call sets them). */
export interface SkillsOptions {
  /** Serve `resources/directory/read` and declare `directoryRead: true`. Default `true`. */
  readonly directoryRead?: boolean;
  /** Entries per `skills/list` page and children per `resources/directory/read` page. Default: the server's `pageSize`. */
  readonly pageSize?: number;
  /** Modern-era cache hints. Default: the handler's. */
  readonly cache?: SkillsCacheHints;
  /** Most files in one skill, `SKILL.md` included. Default 512 (the extension's limit). */
  readonly maxFiles?: number;
  /** Most bytes in one skill, summed over its files. Default 16 MiB (the extension's limit). */
  readonly maxBytes?: number;
  /** Refuse two skills with the same `name` at different paths. Default `true` (names SHOULD be unique). */
  readonly uniqueNames?: boolean;
}

/** The skills a server serves, changeable at run time. */
export interface SkillSet {
  /**
   * Adds a skill, or replaces the one at the same path. Validates at once (a `PorticoError` naming
   * the skill and the file); resolves the entry once its digests are computed. Clients hear
   * `notifications/resources/list_changed` when its files come or go.
   */
  put(skill: SkillDefinition): Promise<SkillEntry>;
  /** Removes the skill at `path`; whether there was one. */
  remove(path: string): boolean;
  /** The paths served now, sorted. */
  paths(): string[];
  /** The entry of the skill at `path` (as `skills/get` serves it), or `undefined`. */
  entry(path: string): Promise<SkillEntry | undefined>;
  /** Every entry, sorted by path (as `skills/list` pages them). */
  entries(): Promise<SkillEntry[]>;
}
