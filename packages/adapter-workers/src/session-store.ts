import { type JsonValue, type SessionStore, type StoredRecord, toJsonText } from "@portico/core";
import { objectForKey } from "./_routing.ts";
import { callObject, checkTtl, objectNamed, type SessionObjectNamespace } from "./_stub.ts";

/**
 * {@link SessionStore} in session objects: a key of a legacy session lives in that session's
 * object (see `_routing.ts`), one SQLite row per key. `create` and `update` are single SQL
 * statements inside the single-threaded object, so compare-and-set needs no lock; expiry is
 * judged by the object's clock, and an alarm deletes expired rows.
 */
export class DurableObjectSessionStore implements SessionStore {
  readonly #namespace: SessionObjectNamespace;

  constructor(namespace: SessionObjectNamespace) {
    this.#namespace = namespace;
  }

  async get(key: string): Promise<StoredRecord | undefined> {
    const row = await callObject("get", true, () => this.#object(key).getRecord(key));
    if (row === null) return undefined;
    return { value: JSON.parse(row.value) as JsonValue, version: row.version, expiresAt: row.expiresAt };
  }

  async create(key: string, value: JsonValue, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const text = toJsonText(value, "a session value");
    return callObject("create", false, () => this.#object(key).createRecord(key, text, ttlMs));
  }

  async update(key: string, expectedVersion: number, value: JsonValue, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const text = toJsonText(value, "a session value");
    return callObject("update", false, () =>
      this.#object(key).updateRecord(key, expectedVersion, text, ttlMs),
    );
  }

  async delete(key: string): Promise<void> {
    await callObject("delete", true, () => this.#object(key).deleteRecord(key));
  }

  #object(key: string) {
    return objectNamed(this.#namespace, objectForKey(key));
  }
}
