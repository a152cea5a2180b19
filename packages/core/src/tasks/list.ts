/**
 * Each caller's tasks, newest first, in one index record per caller (`[id, expiresAt]` pairs): it
 * bounds what a caller can make the server hold (`maxTasksPerCaller` live tasks; a slot is taken
 * before the task is written, so concurrent creations cannot exceed it, and frees itself when the
 * task expires), and it answers 2025-11-25 `tasks/list`. An anonymous legacy caller's tasks are in
 * two: its session's (what `tasks/list` answers) and its address's (what bounds it across sessions).
 */

import type { Runtime } from "../call/runtime.ts";
import type { McpCall, McpResult } from "../definition/method.ts";
import { ErrorCode, McpError } from "../errors.ts";
import { keys } from "../stores/keys.ts";
import { legacyTask } from "./record.ts";
import { TaskRecords } from "./store.ts";

const PAGE = 50;
/** Compare-and-set rounds for one new task, each after a random pause (concurrent creations spread out). */
const ATTEMPTS = 24;
/** The longest pause between two rounds (ms); it doubles from 2 ms up to this. */
const MAX_PAUSE_MS = 64;

interface Index {
  /** `[taskId, expiresAt]`, newest first. */
  tasks: [string, number][];
}

/**
 * Takes a slot for a new task of `owner` (expiring at `expiresAt`), or throws the JSON-RPC error
 * saying the caller holds `limit` tasks already.
 */
export async function rememberTask(
  rt: Runtime,
  owner: string | null,
  id: string,
  expiresAt: number,
  limit: number,
): Promise<void> {
  const store = rt.stores.sessions;
  const key = keys.callerTasks(owner);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    // A burst of one caller's creations meets on this record: after a lost round, a random pause
    // (full jitter, doubling) lets them take their turns instead of colliding again.
    if (attempt > 0) await pause(Math.random() * Math.min(MAX_PAUSE_MS, 2 ** attempt));
    const now = Date.now();
    const stored = await store.get(key);
    const live = stored === undefined ? [] : liveTasks(stored.value as unknown as Index, now);
    if (live.length >= limit) {
      // The first place to come back is the task that expires soonest (tasks differ in ttl).
      let soonest = Number.POSITIVE_INFINITY;
      for (const [, at] of live) soonest = Math.min(soonest, at);
      throw new McpError(
        ErrorCode.InvalidRequest,
        `Too many tasks: this caller holds ${limit} tasks (the server's maxTasksPerCaller) until some expire; retry later`,
        { limit, retryAfterMs: Math.max(1000, soonest - now) },
      );
    }
    const value = { tasks: [[id, expiresAt], ...live] } as unknown as Index;
    const ttl = Math.max(1, Math.max(expiresAt, ...live.map(([, at]) => at)) - now);
    const written =
      stored === undefined
        ? await store.create(key, value as never, ttl)
        : await store.update(key, stored.version, value as never, ttl);
    if (written) return;
  }
  throw new McpError(ErrorCode.InternalError, "Internal error: the caller's task list is too busy; retry");
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Gives back `owner`'s slot for task `id` (best effort: a slot left behind frees itself at expiry). */
export async function forgetTask(rt: Runtime, owner: string | null, id: string): Promise<void> {
  const store = rt.stores.sessions;
  const key = keys.callerTasks(owner);
  for (let attempt = 0; attempt < 4; attempt++) {
    const now = Date.now();
    const stored = await store.get(key);
    if (stored === undefined) return;
    const live = liveTasks(stored.value as unknown as Index, now);
    const rest = live.filter(([taskId]) => taskId !== id);
    if (rest.length === live.length) return;
    const ttl = Math.max(1, Math.max(now + 1, ...rest.map(([, at]) => at)) - now);
    if (await store.update(key, stored.version, { tasks: rest } as never, ttl)) return;
  }
}

function liveTasks(index: Index, now: number): [string, number][] {
  return (Array.isArray(index.tasks) ? index.tasks : []).filter(([, at]) => at > now);
}

/**
 * `tasks/list` of the caller `owner`: a page of its tasks, newest first, with an opaque cursor to
 * the next — the id of the page's last task, so tasks created meanwhile (they go first) neither
 * shift nor repeat what follows. A cursor whose task is gone (expired), or that this did not make,
 * is -32602: the client lists again from the start.
 */
export async function listTasks(call: McpCall, rt: Runtime, owner: string | null): Promise<McpResult> {
  const cursor = call.params.cursor;
  const stored = await rt.stores.sessions.get(keys.callerTasks(owner));
  const ids =
    stored === undefined ? [] : liveTasks(stored.value as unknown as Index, Date.now()).map(([id]) => id);
  let start = 0;
  if (cursor !== undefined) {
    const after =
      typeof cursor === "string" && cursor.startsWith(CURSOR) ? ids.indexOf(cursor.slice(CURSOR.length)) : -1;
    if (after === -1) {
      throw new McpError(
        ErrorCode.InvalidParams,
        "Invalid params: unknown cursor (list again from the start)",
      );
    }
    start = after + 1;
  }
  const records = new TaskRecords(rt.stores.sessions);
  const tasks: Record<string, unknown>[] = [];
  let next = start;
  while (next < ids.length && tasks.length < PAGE) {
    const id = ids[next++] as string;
    const record = await records.get(id);
    if (record !== undefined && record.owner === owner) tasks.push(legacyTask(record));
  }
  const result: McpResult = { tasks };
  if (next < ids.length) result.nextCursor = `${CURSOR}${ids[next - 1]}`;
  return result;
}

/** What a `tasks/list` cursor starts with (then the id of the last task listed). */
const CURSOR = "after:";
