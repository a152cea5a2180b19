/**
 * The skills a server serves, and their files as core resources. Every change recomputes the wanted
 * resources and reconciles: files gone are removed, new ones registered (in one `server.batch`, so
 * the core emits one `notifications/resources/list_changed` to both eras), changed bytes under an
 * unchanged listing are swapped in place with `resourceUpdated`. Nested skills share files with
 * their enclosing skill; a URI both serve must carry the same bytes.
 */
import {
  addResource,
  addResourceTemplate,
  type Era,
  ErrorCode,
  McpError,
  type McpServer,
  PorticoError,
  type Registration,
  type ResourceConfig,
  type ResourceContents,
} from "@portico/core";
import { sameBytes, toBase64 } from "./_bytes.ts";
import { entryOf } from "./_entry.ts";
import { type CompiledFile, type CompiledSkill, SCHEME, SKILL_MD } from "./_validate.ts";
import type { SkillEntry } from "./types.ts";

export const DIRECTORY_MIME = "inode/directory";

interface Held {
  readonly skill: CompiledSkill;
  /** Who put it (a `SkillSet` or a store-backed source): only its owner replaces or removes it. */
  readonly owner: object;
  readonly entry: Promise<SkillEntry>;
}

interface Wanted {
  file: CompiledFile;
  config: ResourceConfig;
}

interface Served extends Wanted {
  key: string;
  registration: Registration;
}

/** A child in a `resources/directory/read` result. */
export type ListedResource = Record<string, unknown> & { uri: string };

export interface CatalogSettings {
  readonly uniqueNames: boolean;
}

export class SkillCatalog {
  readonly #server: McpServer;
  readonly #settings: CatalogSettings;
  #skills = new Map<string, Held>();
  readonly #byUri = new Map<string, Held>();
  readonly #served = new Map<string, Served>();
  #dirs = new Map<string, ListedResource[]>();
  #placeholder: Registration | undefined;

  constructor(server: McpServer, settings: CatalogSettings) {
    this.#server = server;
    this.#settings = settings;
    this.#reconcile(new Map());
  }

  /** Adds or replaces the skill at `skill.path`; throws (changing nothing) on a conflict. */
  put(skill: CompiledSkill, owner: object): Promise<SkillEntry> {
    return this.putAll([skill], owner)[0] as Promise<SkillEntry>;
  }

  /** Adds or replaces several skills at once (one reconciliation); throws (changing nothing) on a conflict. */
  putAll(skills: readonly CompiledSkill[], owner: object): Promise<SkillEntry>[] {
    const next = new Map(this.#skills);
    const entries: Promise<SkillEntry>[] = [];
    for (const skill of skills) {
      const prior = next.get(skill.path);
      if (prior !== undefined && prior.owner !== owner) {
        throw new PorticoError("duplicate", `Skill "${skill.path}" is already served by another source`);
      }
      if (this.#settings.uniqueNames) {
        for (const other of next.values()) {
          if (other.skill.name === skill.name && other.skill.path !== skill.path) {
            throw new PorticoError(
              "duplicate",
              `Skill "${skill.path}" has the name "${skill.name}" of skill "${other.skill.path}"; names must be unique (option uniqueNames)`,
            );
          }
        }
      }
      const entry = entryOf(skill);
      entry.catch(() => {}); // awaited by the methods; never an unhandled rejection here
      next.set(skill.path, { skill, owner, entry });
      entries.push(entry);
    }
    this.#commit(next);
    return entries;
  }

  /** Removes the skill at `path` if `owner` put it; whether it did. */
  remove(path: string, owner: object): boolean {
    const held = this.#skills.get(path);
    if (held === undefined || held.owner !== owner) return false;
    const next = new Map(this.#skills);
    next.delete(path);
    this.#commit(next);
    return true;
  }

  /** The paths `owner` put (every path when `owner` is omitted), sorted. */
  paths(owner?: object): string[] {
    return [...this.#skills.values()]
      .filter((h) => owner === undefined || h.owner === owner)
      .map((h) => h.skill.path)
      .sort();
  }

  /** The entry of the skill at `path`. */
  entry(path: string): Promise<SkillEntry> | undefined {
    return this.#skills.get(path)?.entry;
  }

  /** The entry of the skill whose SKILL.md is `uri`. */
  entryByUri(uri: string): Promise<SkillEntry> | undefined {
    return this.#byUri.get(uri)?.entry;
  }

  /** Every entry, sorted by path. */
  entries(): Promise<SkillEntry[]> {
    return Promise.all([...this.#skills.values()].map((h) => h.entry));
  }

  /** The children of directory `uri`, or `undefined` when `uri` is no directory served here. */
  directory(uri: string): readonly ListedResource[] | undefined {
    return this.#dirs.get(uri);
  }

  #commit(next: Map<string, Held>): void {
    const sorted = new Map([...next.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const wanted = wantedResources(sorted); // throws on a conflict, before anything changes
    for (const uri of wanted.keys()) {
      if (!this.#served.has(uri) && this.#server.registry("resources").has(uri)) {
        throw new PorticoError("duplicate", `Resource "${uri}" is already registered on this server`);
      }
    }
    this.#skills = sorted;
    this.#byUri.clear();
    for (const held of sorted.values()) this.#byUri.set(held.skill.uri, held);
    this.#reconcile(wanted);
  }

  /** One `list_changed` for the whole change, however many files it adds or removes. */
  #reconcile(wanted: Map<string, Wanted>): void {
    this.#server.batch(() => this.#apply(wanted));
  }

  #apply(wanted: Map<string, Wanted>): void {
    for (const [uri, served] of this.#served) {
      if (!wanted.has(uri)) {
        this.#served.delete(uri);
        served.registration.remove();
      }
    }
    const updated: string[] = [];
    for (const [uri, want] of wanted) {
      const key = JSON.stringify(want.config);
      const served = this.#served.get(uri);
      if (served !== undefined && served.key === key) {
        if (!sameBytes(served.file.bytes, want.file.bytes)) updated.push(uri);
        served.file = want.file;
        continue;
      }
      if (served !== undefined) {
        this.#served.delete(uri);
        served.registration.remove();
      }
      const registration = addResource(this.#server, uri, want.config, (u, ctx) => this.#read(u, ctx.era));
      this.#served.set(uri, { ...want, key, registration });
    }
    // The resources family stays available (the extension requires it) while no file is served.
    if (this.#served.size === 0 && this.#placeholder === undefined) {
      this.#placeholder = addResourceTemplate(
        this.#server,
        `${SCHEME}{+path}`,
        { name: "skills", description: "Files of the skills this server serves", mimeType: "text/markdown" },
        (uri, _variables, ctx) => this.#read(uri, ctx.era),
      );
    } else if (this.#served.size > 0 && this.#placeholder !== undefined) {
      this.#placeholder.remove();
      this.#placeholder = undefined;
    }
    this.#dirs = directories(this.#served);
    for (const uri of updated) this.#server.resourceUpdated(uri);
  }

  #read(uri: string, era: Era): ResourceContents[] {
    const served = this.#served.get(uri);
    if (served === undefined) {
      const code = era === "modern" ? ErrorCode.InvalidParams : ErrorCode.LegacyResourceNotFound;
      throw new McpError(code, `Resource not found: ${uri.slice(0, 200)}`);
    }
    const { file } = served;
    return file.text !== undefined
      ? [{ uri, mimeType: file.mimeType, text: file.text }]
      : [{ uri, mimeType: file.mimeType, blob: toBase64(file.bytes) }];
  }
}

/** Every file every skill serves, with its resource config; nested skills' shared files must agree. */
function wantedResources(skills: Map<string, Held>): Map<string, Wanted> {
  const wanted = new Map<string, Wanted>();
  const owner = new Map<string, string>();
  for (const { skill } of skills.values()) {
    for (const file of skill.files) {
      const prior = wanted.get(file.uri);
      if (prior !== undefined && !sameBytes(prior.file.bytes, file.bytes)) {
        throw new PorticoError(
          "invalid_skill",
          `Skill "${skill.path}": file "${file.path}" differs from the same file (${file.uri}) in skill "${owner.get(file.uri)}"`,
        );
      }
      // Skills come outermost first, so a nested skill's view of a shared file wins.
      wanted.set(file.uri, { file, config: configOf(skill, file) });
      owner.set(file.uri, skill.path);
    }
  }
  return wanted;
}

function configOf(skill: CompiledSkill, file: CompiledFile): ResourceConfig {
  if (file.path === SKILL_MD) {
    return {
      name: skill.name,
      description: skill.frontmatter.description as string,
      mimeType: file.mimeType,
      size: file.bytes.length,
    };
  }
  return { name: file.path, mimeType: file.mimeType, size: file.bytes.length };
}

/** Every directory level under `skill://`, with its direct children (sorted by URI). */
function directories(served: Map<string, Served>): Map<string, ListedResource[]> {
  const dirs = new Map<string, Map<string, ListedResource>>();
  for (const [uri, { config }] of served) {
    const segments = uri.slice(SCHEME.length).split("/");
    for (let i = 1; i < segments.length; i++) {
      const dir = SCHEME + segments.slice(0, i).join("/");
      let children = dirs.get(dir);
      if (children === undefined) {
        children = new Map();
        dirs.set(dir, children);
      }
      if (i === segments.length - 1) {
        children.set(uri, { uri, ...config });
      } else {
        const child = SCHEME + segments.slice(0, i + 1).join("/");
        children.set(child, {
          uri: child,
          name: decodeSegment(segments[i] as string),
          mimeType: DIRECTORY_MIME,
        });
      }
    }
  }
  const sorted = new Map<string, ListedResource[]>();
  for (const [dir, children] of dirs) {
    sorted.set(
      dir,
      [...children.values()].sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0)),
    );
  }
  return sorted;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
