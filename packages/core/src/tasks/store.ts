/**
 * Task records in the session store: created once (the `CreateTaskResult` is only sent after the
 * create succeeded, so any instance can answer `tasks/get` at once), changed only by
 * compare-and-set (two instances never both move a task), kept for the task's TTL. A task is two
 * records: its state (`keys.task`: status, lease, outcome — what every task method and the
 * heartbeat read and write) and its input (`task-input`: arguments, answers — read when a run
 * starts, written when answers come in), both expiring together. Records written by earlier
 * versions hold their input inline and are read as they are.
 */
import { keys } from "../stores/keys.ts";
import type { SessionStore, StoredRecord, StoreKey } from "../stores/types.ts";
import type { TaskInput, TaskRecord } from "./record.ts";

/** Attempts of one change before the store is deemed too contended (each re-reads the record). */
const ATTEMPTS = 8;

/** Server-wide: a task's input (`TaskInput`), apart from its state. */
const inputKey = (id: string): StoreKey => ({ kind: "task-input", id });

export class TaskRecords {
  readonly #store: SessionStore;

  constructor(store: SessionStore) {
    this.#store = store;
  }

  /**
   * Writes a new task, its input first (so a task is never without it); `false` if the id is
   * taken (never, with random ids, but checked).
   */
  async create(record: TaskRecord, input: TaskInput): Promise<boolean> {
    const ttl = this.#ttl(record);
    if (!(await this.#store.create(inputKey(record.id), input as never, ttl))) return false;
    return this.#store.create(keys.task(record.id), record as never, ttl);
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    const stored = await this.#store.get(keys.task(id));
    return stored === undefined ? undefined : (stored.value as unknown as TaskRecord);
  }

  /** The input of the task `record` is, or `undefined` once it is gone (the task expired). */
  async input(record: TaskRecord): Promise<TaskInput | undefined> {
    if (record.input !== "apart") {
      // An earlier version's record: its input is inline.
      const input: TaskInput = {
        args: record.args ?? {},
        clientCapabilities: record.clientCapabilities ?? {},
        answers: record.answers ?? {},
      };
      if (record.auth !== undefined) input.auth = record.auth;
      return input;
    }
    const stored = await this.#store.get(inputKey(record.id));
    return stored === undefined ? undefined : (stored.value as unknown as TaskInput);
  }

  /**
   * Adds `answers` to the input of the task `record` is (held apart; an inline record takes its
   * answers in its own change). Nothing when the task is gone.
   */
  async addAnswers(record: TaskRecord, answers: Record<string, unknown>): Promise<void> {
    if (record.input !== "apart") return;
    const key = inputKey(record.id);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const stored = await this.#store.get(key);
      if (stored === undefined) return;
      const current = stored.value as unknown as TaskInput;
      const next: TaskInput = { ...current, answers: { ...current.answers, ...answers } };
      if (await this.#store.update(key, stored.version, next as never, this.#ttl(record))) return;
    }
    throw new Error(`task ${record.id}: too many concurrent changes`);
  }

  /** Deletes both records of a task nobody can reach any more. */
  async remove(id: string): Promise<void> {
    await this.#store.delete(keys.task(id));
    await this.#store.delete(inputKey(id));
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
