/**
 * Skills kept in the shared stores, so a change made through one instance is served by every
 * instance. An index document in `stores.sessions` (`{ kind: "skills-registry", id: name }`) maps
 * each skill path to the hash of its record (`{ kind: "skills-registry-skill", id: "<name>:<hash>" }`,
 * written once, never changed). Writes are compare-and-set on the index, then announced on the bus
 * topic of the index key; every instance re-syncs on a message and every `refreshMs` (a lost
 * message only delays), and the catalog emits `list_changed` to the clients of both eras.
 */
import { type McpServer, PorticoError, type StoreKey, type Stores } from "@portico/core";
import { fromStored, hashOf, readIndex, type StoredIndex, toStored } from "./_stored.ts";
import { type CompiledSkill, compileSkill } from "./_validate.ts";
import { skillSet, skillsOn } from "./add-skills.ts";
import type { SkillDefinition, SkillsOptions } from "./types.ts";

export interface StoreSkillsOptions extends SkillsOptions {
  /** The shared stores: skills are kept in `sessions`, changes announced on `bus`. */
  readonly stores: Pick<Stores, "sessions" | "bus">;
  /** Which registry (several may share the stores). Default `"default"`. */
  readonly name?: string;
  /** Re-read the index this often, in milliseconds, besides on bus messages. Default 30 000. */
  readonly refreshMs?: number;
  /** Told of what a re-sync could not do (an unreadable record, a skill the catalog refused). */
  readonly onError?: (error: unknown) => void;
}

/** The store-backed skills of one server. */
export interface SkillsFromStore {
  /** Validates `skill`, stores it (adding or replacing the one at its path) and serves it. */
  put(skill: SkillDefinition): Promise<void>;
  /** Removes the skill at `path` from the store; resolves whether there was one. */
  remove(path: string): Promise<boolean>;
  /** The paths this instance serves from the store now, sorted. */
  paths(): string[];
  /** Re-reads the store now. */
  sync(): Promise<void>;
  /** Stops following the store (timer and bus); what is served stays. Idempotent. */
  close(): Promise<void>;
}

/** Ten years: the records are meant to stay; every change writes the index again. */
const TTL_MS = 10 * 365 * 24 * 3_600_000;
const DEFAULT_REFRESH_MS = 30_000;
const OPTION_KEYS = ["directoryRead", "pageSize", "cache", "maxFiles", "maxBytes", "uniqueNames"] as const;

/**
 * Serves the skills of the store registry `name` on `server` and follows its changes; resolves once
 * the first load is done and the bus subscription is active.
 */
export async function storeSkills(server: McpServer, options: StoreSkillsOptions): Promise<SkillsFromStore> {
  const { stores, name = "default", refreshMs = DEFAULT_REFRESH_MS } = options;
  if (!(Number.isFinite(refreshMs) && refreshMs > 0)) {
    throw new PorticoError("invalid_config", `refreshMs must be a positive number, got ${refreshMs}`);
  }
  if (typeof name !== "string" || name === "" || name.length > 200) {
    throw new PorticoError("invalid_config", "name must be a non-empty string of at most 200 characters");
  }
  const onError = options.onError ?? ((error: unknown) => console.error("[@portico/skills]", error));
  const given = OPTION_KEYS.filter((k) => options[k] !== undefined);
  const { catalog, limits } = skillsOn(
    server,
    given.length === 0 ? undefined : Object.fromEntries(given.map((k) => [k, options[k]])),
  );
  const owner = {};
  const set = skillSet(catalog, limits, owner);
  const indexKey: StoreKey = { kind: "skills-registry", id: name };
  const recordKey = (hash: string): StoreKey => ({ kind: "skills-registry-skill", id: `${name}:${hash}` });
  /** The record hash each served path came from. */
  const served = new Map<string, string>();
  let closed = false;

  async function readIndexRecord(): Promise<{ index: StoredIndex; version: number | undefined }> {
    const record = await stores.sessions.get(indexKey);
    return { index: readIndex(record?.value), version: record?.version };
  }

  /** Loads the records the index names that this instance does not serve yet. */
  async function load(
    index: StoredIndex,
  ): Promise<{ skills: CompiledSkill[]; hashes: Map<string, string>; missing: boolean }> {
    const skills: CompiledSkill[] = [];
    const hashes = new Map<string, string>();
    let missing = false;
    for (const [path, hash] of Object.entries(index.skills)) {
      if (served.get(path) === hash) continue;
      const record = await stores.sessions.get(recordKey(hash));
      if (record === undefined) {
        missing = true; // replaced meanwhile: the next read of the index names its successor
        continue;
      }
      try {
        skills.push(compileSkill(fromStored(record.value), limits));
        hashes.set(path, hash);
      } catch (error) {
        onError(error);
      }
    }
    return { skills, hashes, missing };
  }

  async function syncOnce(): Promise<boolean> {
    const { index } = await readIndexRecord();
    const { skills, hashes, missing } = await load(index);
    for (const path of [...served.keys()]) {
      if (!(path in index.skills)) {
        catalog.remove(path, owner);
        served.delete(path);
      }
    }
    try {
      catalog.putAll(skills, owner);
      for (const [path, hash] of hashes) served.set(path, hash);
    } catch {
      // One refused skill must not keep the others out: put them one by one.
      for (const skill of skills) {
        try {
          catalog.put(skill, owner);
          served.set(skill.path, hashes.get(skill.path) as string);
        } catch (error) {
          onError(error);
        }
      }
    }
    return !missing;
  }

  // One re-sync at a time; a request during one runs once more after it.
  let running: Promise<void> | undefined;
  let again = false;
  function sync(): Promise<void> {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        let attempts = 0;
        do {
          again = false;
          try {
            if (!(await syncOnce()) && ++attempts < 3) again = true;
          } catch (error) {
            onError(error);
          }
        } while (again && !closed);
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  /** Compare-and-set until `change` applies to the index; then announces it. */
  async function write(path: string, hash: string | undefined): Promise<string | undefined> {
    let previous: string | undefined;
    for (;;) {
      const { index, version } = await readIndexRecord();
      previous = index.skills[path];
      const next: StoredIndex = { skills: { ...index.skills } };
      if (hash === undefined) delete next.skills[path];
      else next.skills[path] = hash;
      const written =
        version === undefined
          ? await stores.sessions.create(indexKey, next as never, TTL_MS)
          : await stores.sessions.update(indexKey, version, next as never, TTL_MS);
      if (written) break;
    }
    if (previous !== undefined && previous !== hash) {
      // The old record is no longer named (a reader that still saw it re-reads the index).
      await stores.sessions.delete(recordKey(previous)).catch(onError);
    }
    await sync();
    // Best effort, like the bus itself: the others re-read every refreshMs anyway.
    await stores.bus.publish(indexKey, { changed: name }).catch(onError);
    return previous;
  }

  const subscription = await stores.bus.subscribe(indexKey, () => void sync());
  await sync();
  const timer = setInterval(() => void sync(), refreshMs);
  (timer as { unref?: () => void }).unref?.();

  /** Writes one skill's record; a store that refuses it (an item size limit) names the skill. */
  async function createRecord(key: StoreKey, stored: unknown, path: string): Promise<void> {
    try {
      await stores.sessions.create(key, stored as never, TTL_MS);
    } catch (error) {
      const bytes = new TextEncoder().encode(JSON.stringify(stored)).byteLength;
      throw new PorticoError(
        "skill_not_stored",
        `Skill "${path}" (a ${Math.ceil(bytes / 1024)} KB record) could not be stored: ${error instanceof Error ? error.message : String(error)}. One skill is one store record, so it must fit the store's item limit (DynamoDB: 400 KB).`,
        { cause: error },
      );
    }
  }

  return {
    async put(definition) {
      const skill = compileSkill(definition, limits); // refuse before writing anything
      const owned = catalog.paths().includes(skill.path) && !set.paths().includes(skill.path);
      if (owned)
        throw new PorticoError("duplicate", `Skill "${skill.path}" is already served by another source`);
      const stored = toStored({ path: skill.path, files: definition.files });
      const hash = await hashOf(stored);
      const key = recordKey(hash);
      if ((await stores.sessions.get(key)) === undefined) await createRecord(key, stored, skill.path);
      await write(skill.path, hash);
      // A concurrent writer may have dropped the record as the previous version: write it again.
      if ((await stores.sessions.get(key)) === undefined) {
        await createRecord(key, stored, skill.path);
        await sync();
      }
      if (served.get(skill.path) !== hash) {
        throw new PorticoError(
          "invalid_skill",
          `Skill "${skill.path}" was stored but this server refused to serve it (see onError)`,
        );
      }
    },
    async remove(path) {
      return (await write(path, undefined)) !== undefined;
    },
    paths: () => set.paths(),
    sync,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await subscription.unsubscribe();
    },
  };
}
