/**
 * A task as it is stored: JSON records in the session store (so every store — memory, DynamoDB,
 * Redis, Durable Objects — holds tasks durably, with its compare-and-set and expiry), its state in
 * one and its input in another, and how a task reads on the wire in each era.
 */
import type { Era, InputRequest } from "../definition/context.ts";

export type TaskStatus = "working" | "input_required" | "completed" | "failed" | "cancelled";

export const TERMINAL: ReadonlySet<string> = new Set(["completed", "failed", "cancelled"]);

export { TASKS_EXTENSION } from "../definition/task-hook.ts";

/** Who runs a task now, until when (renewed by its heartbeat), and how many runs there were. */
export interface TaskLease {
  by: string;
  until: number;
}

/** One task (plain JSON). */
export interface TaskRecord {
  id: string;
  status: TaskStatus;
  message?: string;
  /** Epoch ms. */
  created: number;
  updated: number;
  ttlMs: number;
  pollMs: number;
  /** The caller's principal (`principalOf`): only it may see or change the task. */
  owner: string | null;
  era: Era;
  protocolVersion: string;
  /** Legacy: the session that created it (status notifications go to its stream). */
  session?: string;
  /** The tool. */
  tool: string;
  /**
   * `"apart"`: the task's input (arguments, client capabilities, who called, answers) is in a
   * record of its own ({@link TaskInput}), so that a lease renewal rewrites only this small record.
   * Absent in records written by earlier versions, which hold their input inline (below).
   */
  input?: "apart";
  /** Inline input of an earlier version's record: see {@link TaskInput}. */
  args?: Record<string, unknown>;
  clientCapabilities?: Record<string, unknown>;
  auth?: Record<string, unknown>;
  answers?: Record<string, unknown>;
  /** Asks the handler is waiting on (input_required). */
  asks?: Record<string, InputRequest>;
  /**
   * Progress the tool saved (`ctx.saveCheckpoint`), for a later run to start from. Rewritten with
   * every lease renewal, like the rest of this record: it should stay small.
   */
  checkpoint?: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
  /** The current run's lease (absent when no run is due: input_required or terminal). */
  lease?: TaskLease;
  /**
   * Runs dispatched since the task last saved progress (a run whose instance died, or that its
   * host's time limit stopped, is dispatched again; `maxRuns` in a row without progress fail it).
   */
  runs: number;
}

/**
 * What a task's run needs besides its state, written once when the task is created and changed only
 * when answers come in; a run reads it when it starts. It lives under its own key, kept as long as
 * the task, so the heartbeat never reads or rewrites it (arguments and answers may be megabytes).
 */
export interface TaskInput {
  /** The tool's arguments. */
  args: Record<string, unknown>;
  clientCapabilities: Record<string, unknown>;
  /** Who called, without the token (the handler's `ctx.auth`). */
  auth?: Record<string, unknown>;
  /** Every answer so far (the MRTR rounds before the task, then `tasks/update`). */
  answers: Record<string, unknown>;
}

/**
 * The session a task belongs to when only that session can reach it (an anonymous legacy
 * caller's, `ownerOf`): once the session ends, nobody can see, answer or cancel the task any more.
 */
export function sessionOf(record: Pick<TaskRecord, "owner" | "session">): string | undefined {
  return record.session !== undefined && record.owner === `session:${record.session}`
    ? record.session
    : undefined;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The `Task` fields of a record at 2026-07-28 (SEP-2663): `ttlMs`, `pollIntervalMs`, inlined outcome. */
export function modernTask(record: TaskRecord, detailed: boolean): Record<string, unknown> {
  const task: Record<string, unknown> = {
    taskId: record.id,
    status: record.status,
    createdAt: iso(record.created),
    lastUpdatedAt: iso(record.updated),
    ttlMs: record.ttlMs,
    pollIntervalMs: record.pollMs,
  };
  if (record.message !== undefined) task.statusMessage = record.message;
  if (!detailed) return task;
  if (record.status === "input_required") task.inputRequests = record.asks ?? {};
  // What the `tools/call` would have answered at 2026-07-28, where every result has its type.
  if (record.status === "completed")
    task.result = { ...(record.result ?? { content: [] }), resultType: "complete" };
  if (record.status === "failed") task.error = record.error ?? { code: -32603, message: "Task failed" };
  return task;
}

/**
 * The `Task` of a record at 2025-11-25 (experimental tasks): `ttl`, `pollInterval`, no outcome. A
 * tool result with `isError` reads `failed` there ("this includes cases where the tool call result
 * has isError set to true"); `tasks/result` still answers that result.
 */
export function legacyTask(record: TaskRecord): Record<string, unknown> {
  const toolError = record.status === "completed" && record.result?.isError === true;
  const task: Record<string, unknown> = {
    taskId: record.id,
    status: toolError ? "failed" : record.status,
    createdAt: iso(record.created),
    lastUpdatedAt: iso(record.updated),
    ttl: record.ttlMs,
    pollInterval: record.pollMs,
  };
  if (record.message !== undefined) task.statusMessage = record.message;
  else if (toolError) task.statusMessage = "The tool reported an error (isError)";
  return task;
}
