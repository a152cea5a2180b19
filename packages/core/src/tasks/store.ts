/**
 * Task records in the session store: created once (the `CreateTaskResult` is only sent after the
 * create succeeded, so any instance can answer `tasks/get` at once), changed only by
 * compare-and-set (two instances never both move a task), kept for the task's TTL.
 */
import { keys } from "../stores/keys.ts";
import type { SessionStore, StoredRecord } from "../stores/types.ts";
import type { TaskRecord } from "./record.ts";

/** Attempts of one change before the store is deemed too contended (each re-reads the record). */
const ATTEMPTS = 8;

export class TaskRecords {
  readonly #store: SessionStore;

  constructor(store: SessionStore) {
    this.#store = store;
  }

  /** Writes a new task; `false` if the id is taken (never, with random ids, but checked). */
  create(record: TaskRecord): Promise<boolean> {
    return this.#store.create(keys.task(record.id), record as never, this.#ttl(record));
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    const stored = await this.#store.get(keys.task(id));
    return stored === undefined ? undefined : (stored.value as unknown as TaskRecord);
  }

  /**
   * Applies `change` to the live record by compare-and-set, re-reading on a conflict. `change`
   * returns the new record, or `undefined` to leave it (then nothing is written). Resolves the
   * record written, or `undefined` when the task is gone or `change` declined. `touch: false`
   * keeps `lastUpdatedAt` (a lease renewal is not news to the client).
   */
  async change(
    id: string,
    change: (record: TaskRecord) => TaskRecord | undefined,
    touch = true,
  ): Promise<TaskRecord | undefined> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const stored: StoredRecord | undefined = await this.#store.get(keys.task(id));
      if (stored === undefined) return undefined;
      const current = stored.value as unknown as TaskRecord;
      const next = change(structuredClone(current));
      if (next === undefined) return undefined;
      if (touch) next.updated = Math.max(Date.now(), current.updated);
      if (await this.#store.update(keys.task(id), stored.version, next as never, this.#ttl(next)))
        return next;
    }
    throw new Error(`task ${id}: too many concurrent changes`);
  }

  /** The store keeps a record until its TTL from creation has passed. */
  #ttl(record: TaskRecord): number {
    return Math.max(1, record.created + record.ttlMs - Date.now());
  }
}
