/**
 * Skills kept in the shared stores, so a change made through one instance is served by every
 * instance. An index document in `stores.sessions` (`{ kind: "skills-registry", id: name }`) maps
 * each skill path to the hash of its record (`{ kind: "skills-registry-skill", id: "<name>:<hash>" }`,
 * written once, never changed). Writes are compare-and-set on the index, then announced on the bus
 * topic of the index key; every instance re-syncs on a message and every `refreshMs` (a lost
 * message only delays), and the catalog emits `list_changed` to the clients of both eras.
 */
import {
  isTimerMs,
  MAX_TIMER_MS,
  type McpServer,
  PorticoError,
  type StoreKey,
  type Stores,
  storeTimeoutOf,
  timedBus,
  timedSessionStore,
} from "@portico/core";
import { fromStored, hashOf, readIndex, type StoredIndex, toStored } from "./_stored.ts";
import { type CompiledSkill, compileSkill } from "./_validate.ts";
import { skillSet, skillsOn } from "./add-skills.ts";
import type { SkillDefinition, SkillsOptions } from "./types.ts";

export interface StoreSkillsOptions extends SkillsOptions {
  /** The shared stores: skills are kept in `sessions`, changes announced on `bus`. */
  readonly stores: Pick<Stores, "sessions" | "bus">;
  /** Which registry (several may share the stores). Default `"default"`. */
  readonly name?: string;
  /**
   * Re-read the index this often, in milliseconds, besides on bus messages (a timer). Default
   * 30 000; at most 2^31−1 (about 24.8 days).
   */
  readonly refreshMs?: number;
  /**
   * Longest wait for one store call, in milliseconds (0: none), at most 2^31−1 (about 24.8 days);
   * beyond it the call fails with `StoreUnavailableError` (a re-sync reports it to `onError` and
   * the next one runs; `put` and `remove` reject). Default: the handler's `storeTimeoutMs` when
   * `stores` are a handler's (`call.stores`), else 10 000.
   */
  readonly storeTimeoutMs?: number;
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
const DEFAULT_STORE_TIMEOUT_MS = 10_000;
/** Compare-and-set attempts of one index write before it gives up (other writers won them all). */
const MAX_WRITE_ATTEMPTS = 20;
const OPTION_KEYS = ["directoryRead", "pageSize", "cache", "maxFiles", "maxBytes", "uniqueNames"] as const;

/**
 * Serves the skills of the store registry `name` on `server` and follows its changes; resolves once
 * the first load is done and the bus subscription is active.
 */
export async function storeSkills(server: McpServer, options: StoreSkillsOptions): Promise<SkillsFromStore> {
  const { name = "default", refreshMs = DEFAULT_REFRESH_MS } = options;
  if (!(Number.isFinite(refreshMs) && refreshMs > 0 && refreshMs <= MAX_TIMER_MS)) {
    throw new PorticoError(
      "invalid_config",
      `refreshMs must be a positive number of ms, at most ${MAX_TIMER_MS} (about 24.8 days), got ${refreshMs}`,
    );
  }
  const { storeTimeoutMs } = options;
  if (storeTimeoutMs !== undefined && !isTimerMs(storeTimeoutMs, 0)) {
    throw new PorticoError(
      "invalid_config",
      `storeTimeoutMs must be a number of ms from 0 (none) to ${MAX_TIMER_MS} (about 24.8 days), got ${String(storeTimeoutMs)}`,
    );
  }
  const stores = withDeadline(options.stores, storeTimeoutMs);
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
        const skill = compileSkill(fromStored(record.value), limits);
        if (skill.path !== path) {
          // Served under its own path, it could never be removed through the index's.
          throw new PorticoError(
            "invalid_skill",
            `Skill record ${hash} of registry "${name}" holds skill "${skill.path}" but the index names it "${path}"; not served`,
          );
        }
        skills.push(skill);
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
      if (!Object.hasOwn(index.skills, path)) {
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

  /** Compare-and-set until `change` applies to the index (at most MAX_WRITE_ATTEMPTS); then announces it. */
  async function write(path: string, hash: string | undefined): Promise<string | undefined> {
    let previous: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const { index, version } = await readIndexRecord();
      previous = Object.hasOwn(index.skills, path) ? index.skills[path] : undefined;
      const next: StoredIndex = { skills: index.skills }; // a copy (readIndex), with no prototype
      if (hash === undefined) delete next.skills[path];
      else next.skills[path] = hash;
      const written =
        version === undefined
          ? await stores.sessions.create(indexKey, next as never, TTL_MS)
          : await stores.sessions.update(indexKey, version, next as never, TTL_MS);
      if (written) break;
      if (attempt === MAX_WRITE_ATTEMPTS) {
        throw new PorticoError(
          "write_conflict",
          `Skill "${path}" was not ${hash === undefined ? "removed" : "stored"}: the index of registry "${name}" changed under each of ${MAX_WRITE_ATTEMPTS} attempts (other writers); try again`,
        );
      }
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

/**
 * `stores` with every call bounded by `timeoutMs` (default: none more when they are a handler's,
 * whose calls are bounded already; else 10 s), as the handler bounds its own.
 */
function withDeadline(
  stores: Pick<Stores, "sessions" | "bus">,
  timeoutMs: number | undefined,
): Pick<Stores, "sessions" | "bus"> {
  if (timeoutMs === undefined) {
    if (storeTimeoutOf(stores as Stores) !== undefined) return stores;
    timeoutMs = DEFAULT_STORE_TIMEOUT_MS;
  }
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) return stores;
  return { sessions: timedSessionStore(stores.sessions, timeoutMs), bus: timedBus(stores.bus, timeoutMs) };
}
