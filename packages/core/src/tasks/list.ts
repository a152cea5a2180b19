/**
 * 2025-11-25 `tasks/list`: each caller's tasks, newest first, from a per-caller index record (the
 * newest {@link MAX_LISTED} ids). Expired tasks drop out as the list is read.
 */

import type { Runtime } from "../call/runtime.ts";
import type { McpCall, McpResult } from "../definition/method.ts";
import { ErrorCode, McpError } from "../errors.ts";
import { keys } from "../stores/keys.ts";
import { legacyTask, type TaskRecord } from "./record.ts";
import { TaskRecords } from "./store.ts";

/** The most tasks one caller's list holds (older ones still answer `tasks/get` until they expire). */
export const MAX_LISTED = 1000;
const PAGE = 50;
const ATTEMPTS = 8;

interface Index {
  ids: string[];
}

/** Adds a new task to its caller's list. */
export async function rememberTask(rt: Runtime, record: TaskRecord): Promise<void> {
  const store = rt.stores.sessions;
  const key = keys.callerTasks(record.owner);
  const ttl = record.ttlMs;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const stored = await store.get(key);
    if (stored === undefined) {
      if (await store.create(key, { ids: [record.id] }, ttl)) return;
      continue;
    }
    const ids = [record.id, ...(stored.value as unknown as Index).ids].slice(0, MAX_LISTED);
    const keep = Math.max(ttl, stored.expiresAt - Date.now());
    if (await store.update(key, stored.version, { ids }, keep)) return;
  }
  throw new Error("tasks/list index: too many concurrent changes");
}

/** `tasks/list` of the caller `owner`: a page of its tasks, with an opaque cursor to the next. */
export async function listTasks(call: McpCall, rt: Runtime, owner: string | null): Promise<McpResult> {
  const cursor = call.params.cursor;
  let start = 0;
  if (cursor !== undefined) {
    const n = typeof cursor === "string" && /^[0-9]{1,6}$/.test(cursor) ? Number(cursor) : Number.NaN;
    if (!Number.isInteger(n)) throw new McpError(ErrorCode.InvalidParams, "Invalid params: unknown cursor");
    start = n;
  }
  const stored = await rt.stores.sessions.get(keys.callerTasks(owner));
  const ids = stored === undefined ? [] : (stored.value as unknown as Index).ids;
  const records = new TaskRecords(rt.stores.sessions);
  const tasks: Record<string, unknown>[] = [];
  let next = start;
  while (next < ids.length && tasks.length < PAGE) {
    const id = ids[next++] as string;
    const record = await records.get(id);
    if (record !== undefined && record.owner === owner) tasks.push(legacyTask(record));
  }
  const result: McpResult = { tasks };
  if (next < ids.length) result.nextCursor = String(next);
  return result;
}
