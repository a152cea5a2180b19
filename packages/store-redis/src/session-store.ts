import { toJsonText } from "@portico/core";
import type { JsonValue, SessionStore, StoredRecord } from "@portico/core";
import { Commands } from "./_commands.ts";
import type { CommandOptions } from "./_commands.ts";
import { randomToken, ttlArgument } from "./_json.ts";
import { CREATE, READ, UPDATE } from "./_scripts.ts";
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
 * {@link SessionStore} on Redis: one string key per record (`<prefix>s:<key>`) holding
 * `<version> <expiresAt> <write token> <value as JSON>`, with a Redis expiry (`PX`) of the ttl.
 * Redis removes an expired key itself, so an expired record is simply absent. `get` is a one-line
 * script rather than a plain GET, so that Upstash answers it from the primary (see `READ`).
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

  async get(key: string): Promise<StoredRecord | undefined> {
    const text = await this.#commands.eval(READ, [this.#prefix + key], ["GET"], "idempotent");
    if (typeof text !== "string") return undefined;
    const header = RECORD.exec(text);
    if (!header) throw new TypeError(`${this.#prefix + key} does not hold a Portico session record`);
    return {
      value: JSON.parse(text.slice(header[0].length)) as JsonValue,
      version: Number(header[1]),
      expiresAt: Number(header[2]),
    };
  }

  async create(key: string, value: JsonValue, ttlMs: number): Promise<boolean> {
    const args = [this.#record(1, value, ttlMs), ttlArgument(ttlMs)];
    return (await this.#commands.eval(CREATE, [this.#prefix + key], args, "idempotent")) === 1;
  }

  async update(key: string, expectedVersion: number, value: JsonValue, ttlMs: number): Promise<boolean> {
    const ttl = ttlArgument(ttlMs);
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1) return false;
    const args = [String(expectedVersion), this.#record(expectedVersion + 1, value, ttlMs), ttl];
    return (await this.#commands.eval(UPDATE, [this.#prefix + key], args, "idempotent")) === 1;
  }

  async delete(key: string): Promise<void> {
    await this.#commands.run(["DEL", this.#prefix + key], "idempotent");
  }

  #record(version: number, value: JsonValue, ttlMs: number): string {
    const json = toJsonText(value, "a session value");
    return `${version} ${Math.ceil(this.#now() + ttlMs)} ${randomToken(8)} ${json}`;
  }
}
