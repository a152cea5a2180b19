import { StoreUnavailableError } from "../errors.ts";
import { storeKeyText } from "./keys.ts";
import type { JsonValue, SessionStore, StoredRecord, StoreKey } from "./types.ts";

interface Entry {
  /** A deep-frozen copy of what was written: read as it is, since nobody can change it. */
  value: JsonValue;
  version: number;
  expiresAt: number;
}

/** Options for {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** Clock in epoch milliseconds; defaults to `Date.now`. Inject one to test expiry. */
  now?: () => number;
  /**
   * Most live records (sessions, reply mailboxes, leases, used MRTR states). A create beyond it
   * fails as unavailable (the handler answers 503 + `Retry-After`) rather than growing without
   * bound. Default 100,000 — a legacy session record is about 0.5–2 KB, so roughly 50–200 MB.
   */
  maxRecords?: number;
}

/** How often (in clock milliseconds) a write also sweeps every expired record. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * {@link SessionStore} in process memory, for tests, local development and single-instance
 * servers. Values are checked to be JSON and deep-copied and frozen on the way in, so no caller can
 * change stored state by mutating an object, neither the one it wrote nor the one it read (reads
 * hand out the frozen copy, without copying again). Expired records read as absent; they are
 * removed when touched and by a sweep that runs at most once a minute on writes.
 */
export class MemorySessionStore implements SessionStore {
  readonly #records = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxRecords: number;
  #lastSweep: number;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxRecords = options.maxRecords ?? 100_000;
    this.#lastSweep = this.#now();
  }

  async get(key: StoreKey): Promise<StoredRecord | undefined> {
    const record = this.#live(storeKeyText(key), this.#now());
    if (!record) return undefined;
    return { value: record.value, version: record.version, expiresAt: record.expiresAt };
  }

  async create(storeKey: StoreKey, value: JsonValue, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const key = storeKeyText(storeKey);
    const now = this.#now();
    this.#maybeSweep(now);
    if (this.#live(key, now)) return false;
    if (this.#records.size >= this.#maxRecords) {
      this.#lastSweep = now - SWEEP_INTERVAL_MS;
      this.#maybeSweep(now);
      if (this.#records.size >= this.#maxRecords) {
        throw new StoreUnavailableError(`the memory session store is full (${this.#maxRecords} records)`, {
          retryAfterSeconds: 5,
        });
      }
    }
    this.#records.set(key, { value: frozenCopy(value), version: 1, expiresAt: now + ttlMs });
    return true;
  }

  async update(
    storeKey: StoreKey,
    expectedVersion: number,
    value: JsonValue,
    ttlMs: number,
  ): Promise<boolean> {
    checkTtl(ttlMs);
    const key = storeKeyText(storeKey);
    const now = this.#now();
    this.#maybeSweep(now);
    const record = this.#live(key, now);
    if (!record || record.version !== expectedVersion) return false;
    this.#records.set(key, {
      value: frozenCopy(value),
      version: expectedVersion + 1,
      expiresAt: now + ttlMs,
    });
    return true;
  }

  async delete(key: StoreKey): Promise<void> {
    this.#records.delete(storeKeyText(key));
  }

  /** The record under `key` if it is still live at `now`; removes it when it has expired. */
  #live(key: string, now: number): Entry | undefined {
    const record = this.#records.get(key);
    if (!record) return undefined;
    if (now > record.expiresAt) {
      this.#records.delete(key);
      return undefined;
    }
    return record;
  }

  #maybeSweep(now: number): void {
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    for (const [key, record] of this.#records) {
      if (now > record.expiresAt) this.#records.delete(key);
    }
  }
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive finite number of milliseconds, got ${ttlMs}`);
  }
}

/** A deep, frozen copy of a JSON value; anything that is not JSON is refused with a TypeError. */
function frozenCopy(value: JsonValue): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("a session value must be JSON: non-finite number");
    return value;
  }
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as JsonValue[];
  const proto = typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, JsonValue> = {};
    for (const key in value) {
      const item = (value as Record<string, JsonValue>)[key] as JsonValue;
      // Like JSON: a property whose value is undefined is simply absent. Defined, not assigned:
      // a "__proto__" member (JSON.parse makes it an own member) must stay a member.
      if (item !== undefined)
        Object.defineProperty(out, key, {
          value: frozenCopy(item),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return Object.freeze(out);
  }
  throw new TypeError(`a session value must be JSON, got ${typeof value}`);
}
