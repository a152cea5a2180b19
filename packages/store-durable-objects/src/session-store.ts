import {
  type JsonValue,
  type SessionStore,
  type StoredRecord,
  type StoreKey,
  storeKeyText,
  toJsonText,
} from "@portico/core";
import { objectForKey } from "./_routing.ts";
import { callObject, checkTtl, objectNamed, type SessionObjectNamespace } from "./_stub.ts";

/**
 * {@link SessionStore} in session objects: a key with a `session` lives in that session's object
 * (see `_routing.ts`), one SQLite row per key, stored under the key's `storeKeyText`. `create` and
 * `update` are single SQL statements inside the single-threaded object, so compare-and-set needs no
 * lock; expiry is judged by the object's clock, and an alarm deletes expired rows.
 */
export class DurableObjectSessionStore implements SessionStore {
  readonly #namespace: SessionObjectNamespace;

  constructor(namespace: SessionObjectNamespace) {
    this.#namespace = namespace;
  }

  async get(key: StoreKey): Promise<StoredRecord | undefined> {
    const text = storeKeyText(key);
    const row = await callObject("get", true, () => this.#object(key).getRecord(text));
    if (row === null) return undefined;
    return { value: JSON.parse(row.value) as JsonValue, version: row.version, expiresAt: row.expiresAt };
  }

  async create(key: StoreKey, value: JsonValue, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const json = toJsonText(value, "a session value");
    const text = storeKeyText(key);
    return callObject("create", false, () => this.#object(key).createRecord(text, json, ttlMs));
  }

  async update(key: StoreKey, expectedVersion: number, value: JsonValue, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const json = toJsonText(value, "a session value");
    const text = storeKeyText(key);
    return callObject("update", false, () =>
      this.#object(key).updateRecord(text, expectedVersion, json, ttlMs),
    );
  }

  async delete(key: StoreKey): Promise<void> {
    const text = storeKeyText(key);
    await callObject("delete", true, () => this.#object(key).deleteRecord(text));
  }

  #object(key: StoreKey) {
    return objectNamed(this.#namespace, objectForKey(key));
  }
}
