import type { JsonValue, SessionStore, StoredRecord, StoreKey } from "@portico/core";
import { storeKeyText, toJsonText } from "@portico/core";
import type { CommandOptions } from "./_commands.ts";
import { Commands } from "./_commands.ts";
import { MAX_TTL_MS, randomToken, ttlArgument } from "./_json.ts";
import { CREATE, UPDATE } from "./_scripts.ts";
import type { RedisClientLike } from "./connection.ts";

/** Options for {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions extends CommandOptions {
  /** Prepended to every key. Default `"portico:"`. */
  keyPrefix?: string;
  /** Clock for the `expiresAt` the store reports; defaults to `Date.now`. Redis itself expires keys. */
  now?: () => number;
}

/** `<version> <expiresAt> <write token> <JSON>`: a header Lua can compare without parsing JSON. */
const RECORD = /^([1-9][0-9]*) ([0-9]+) ([0-9a-f]+) /;

/**
 * {@link SessionStore} on Redis: one string key per record (`<prefix>s:<storeKeyText(key)>`) holding
 * `<version> <expiresAt> <write token> <value as JSON>`, with a Redis expiry (`PX`) of the ttl.
 * Redis removes an expired key itself, so an expired record is simply absent. `get` is one `GET`
 * (with `primaryReads`, the same `GET` inside a script, so that Upstash answers it from the
 * primary: see `CommandOptions.primaryReads`).
 *
 * `create` and `update` are Lua scripts (create-if-absent, compare-and-set on the version). Each
 * write carries a random token, so a script re-run after a lost answer recognises its own earlier
 * write and answers `true` again: both are retried safely.
 */
export class RedisSessionStore implements SessionStore {
  readonly #commands: Commands;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(client: RedisClientLike, options: RedisSessionStoreOptions = {}) {
    this.#commands = new Commands(client, options);
    this.#prefix = `${options.keyPrefix ?? "portico:"}s:`;
    this.#now = options.now ?? Date.now;
  }

  async get(key: StoreKey): Promise<StoredRecord | undefined> {
    const name = this.#name(key);
    const text = await this.#commands.read("GET", name);
    if (typeof text !== "string") return undefined;
    const header = RECORD.exec(text);
    if (!header) throw new TypeError(`${name} does not hold a Portico session record`);
    return {
      value: JSON.parse(text.slice(header[0].length)) as JsonValue,
      version: Number(header[1]),
      expiresAt: Number(header[2]),
    };
  }

  async create(key: StoreKey, value: JsonValue, ttlMs: number): Promise<boolean> {
    const args = [this.#record(1, value, ttlMs), ttlArgument(ttlMs)];
    return (await this.#commands.eval(CREATE, [this.#name(key)], args, "idempotent")) === 1;
  }

  async update(key: StoreKey, expectedVersion: number, value: JsonValue, ttlMs: number): Promise<boolean> {
    const ttl = ttlArgument(ttlMs);
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1) return false;
    const args = [String(expectedVersion), this.#record(expectedVersion + 1, value, ttlMs), ttl];
    return (await this.#commands.eval(UPDATE, [this.#name(key)], args, "idempotent")) === 1;
  }

  async delete(key: StoreKey): Promise<void> {
    await this.#commands.run(["DEL", this.#name(key)], "idempotent");
  }

  /** The Redis key of a record: the prefix and the key's canonical text. */
  #name(key: StoreKey): string {
    return this.#prefix + storeKeyText(key);
  }

  #record(version: number, value: JsonValue, ttlMs: number): string {
    const json = toJsonText(value, "a session value");
    return `${version} ${Math.ceil(this.#now() + Math.min(ttlMs, MAX_TTL_MS))} ${randomToken(8)} ${json}`;
  }
}
