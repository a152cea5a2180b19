/**
 * A definitions registry kept in the shared stores, so a change made through one instance is
 * served by every instance. The document lives in `stores.sessions` under
 * `{ kind: "config-registry", id: name }`, written by compare-and-set with a long ttl; a write
 * publishes on the bus topic of the same key, and every instance re-syncs on a message and every
 * `refreshMs` (a lost message only delays). A re-sync registers, removes and replaces definitions
 * by their fingerprints, so the core emits `list_changed` to the clients of both eras.
 */
import { type McpServer, PorticoError, type Registration, type StoreKey, type Stores } from "@portico/core";
import { MAX_TIMER_MS } from "@portico/host";
import { fingerprint } from "./fingerprint.ts";
import { parseDefinitions } from "./parse.ts";
import { type LoadOptions, registerDefinition } from "./register.ts";
import type { ConfigDocument, DefinitionKind, DefinitionOf } from "./types.ts";
import { KINDS, keyOf } from "./types.ts";
import { validateDocument } from "./validate.ts";

export interface StoreRegistryOptions extends LoadOptions {
  /** The shared stores: the document is kept in `sessions`, changes announced on `bus`. */
  stores: Pick<Stores, "sessions" | "bus">;
  /** Which registry (several may share the stores). Default `"default"`. */
  name?: string;
  /**
   * Re-read the document this often, in milliseconds, besides on bus messages (a timer). Default
   * 30 000; at most 2^31−1 (about 24.8 days).
   */
  refreshMs?: number;
  /** Told of what a re-sync could not do (an unreadable document, a definition the server refused). */
  onError?: (error: unknown) => void;
}

export interface StoreRegistry {
  /** Adds a definition or replaces the one of the same name (a resource: URI). */
  put<K extends DefinitionKind>(kind: K, def: DefinitionOf[K]): Promise<void>;
  /** Removes a definition; resolves whether there was one. */
  remove(kind: DefinitionKind, name: string): Promise<boolean>;
  /** Replaces the whole document (JSON or YAML text, or an object). */
  replace(document: ConfigDocument | string): Promise<void>;
  /** The document this instance serves now (a copy). */
  current(): ConfigDocument;
  /** Re-reads the document now. */
  sync(): Promise<void>;
  /** Stops following the store (timer and bus); what is registered stays. Idempotent. */
  close(): Promise<void>;
}

/** Ten years: the document is meant to stay; every change writes it again. */
const TTL_MS = 10 * 365 * 24 * 3_600_000;
const DEFAULT_REFRESH_MS = 30_000;

interface Served {
  fingerprint: string;
  registration: Registration;
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Loads the registry's document into `server` and follows its changes; resolves once the first
 * load is done and the bus subscription is active.
 */
export async function storeRegistry(
  server: McpServer,
  options: StoreRegistryOptions,
): Promise<StoreRegistry> {
  const { stores, name = "default", refreshMs = DEFAULT_REFRESH_MS } = options;
  if (!(Number.isFinite(refreshMs) && refreshMs > 0 && refreshMs <= MAX_TIMER_MS))
    throw new PorticoError(
      "invalid_config",
      `refreshMs must be a positive number of ms, at most ${MAX_TIMER_MS} (about 24.8 days), got ${refreshMs}`,
    );
  const onError = options.onError ?? ((error: unknown) => console.error("[@portico/config]", error));
  const key: StoreKey = { kind: "config-registry", id: name };
  const served = new Map<DefinitionKind, Map<string, Served>>(KINDS.map((k) => [k, new Map()]));
  let document: ConfigDocument = {};
  let closed = false;

  async function read(): Promise<{ document: ConfigDocument; version: number | undefined }> {
    const record = await stores.sessions.get(key);
    if (record === undefined) return { document: {}, version: undefined };
    return { document: validateDocument(copy(record.value)), version: record.version };
  }

  /** Brings the registered definitions in line with `next`: gone or changed out, new or changed in. */
  function apply(next: ConfigDocument): void {
    for (const kind of KINDS) {
      const now = served.get(kind) as Map<string, Served>;
      const wanted = new Map((next[kind] ?? []).map((def) => [keyOf(kind, def), def] as const));
      for (const [id, entry] of now) {
        const def = wanted.get(id);
        if (def === undefined || fingerprint(def) !== entry.fingerprint) {
          entry.registration.remove();
          now.delete(id);
        }
      }
      for (const [id, def] of wanted) {
        if (now.has(id)) continue;
        try {
          const registration = registerDefinition(server, kind, def as DefinitionOf[typeof kind], options);
          now.set(id, { fingerprint: fingerprint(def), registration });
        } catch (error) {
          onError(error);
        }
      }
    }
    document = next;
  }

  // One re-sync at a time; a request during one runs once more after it.
  let running: Promise<void> | undefined;
  let again = false;
  function sync(): Promise<void> {
    if (running !== undefined) {
      again = true; // the running one reads once more before it settles
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          try {
            apply((await read()).document);
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

  /** Compare-and-set until `change` applies to the stored document; then announces it. */
  async function write(change: (doc: ConfigDocument) => ConfigDocument): Promise<void> {
    for (;;) {
      const { document: base, version } = await read();
      const next = validateDocument(change(copy(base)));
      const value = copy(next) as never;
      const written =
        version === undefined
          ? await stores.sessions.create(key, value, TTL_MS)
          : await stores.sessions.update(key, version, value, TTL_MS);
      if (written) break;
    }
    await sync();
    // Best effort, like the bus itself: the others re-read every refreshMs anyway.
    await stores.bus.publish(key, { changed: name }).catch(onError);
  }

  const subscription = await stores.bus.subscribe(key, () => void sync());
  await sync();
  const timer = setInterval(() => void sync(), refreshMs);
  (timer as { unref?: () => void }).unref?.();

  return {
    async put(kind, def) {
      if (!KINDS.includes(kind))
        throw new PorticoError("invalid_config", "kind: must be tools, resources or prompts");
      const id = keyOf(kind, def);
      return write((doc) => {
        const list = (doc[kind] ?? []) as DefinitionOf[typeof kind][];
        const at = list.findIndex((d) => keyOf(kind, d) === id);
        if (at === -1) list.push(copy(def));
        else list[at] = copy(def);
        return { ...doc, [kind]: list };
      });
    },
    async remove(kind, id) {
      let found = false;
      await write((doc) => {
        const list = (doc[kind] ?? []) as DefinitionOf[typeof kind][];
        const kept = list.filter((d) => keyOf(kind, d) !== id);
        found = kept.length !== list.length;
        return { ...doc, [kind]: kept };
      });
      return found;
    },
    async replace(source) {
      const next = parseDefinitions(source);
      return write(() => next);
    },
    current: () => copy(document),
    sync,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await subscription.unsubscribe();
    },
  };
}
