/**
 * The seam between the tools family and the tasks engine: `enableTasks` registers the engine for a
 * server here, and `tools/call` asks it whether a call becomes a task. The tools family imports
 * only this file, so a server without tasks carries none of the engine's code.
 */
import type { SessionStore } from "../stores/types.ts";
import type { Definitions, McpCall, McpResult } from "./method.ts";
import type { AuthInfo, ExecutionContextLike } from "./types.ts";

/** The extension id of 2026-07-28 tasks (SEP-2663). */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/** The task support a tool declares (`execution.taskSupport` on the wire, 2025-11-25). */
export type TaskSupport = "forbidden" | "optional" | "required";

/** What `tools/call` needs of a task-capable tool. */
export interface TaskTool {
  readonly name: string;
  readonly taskSupport: TaskSupport | undefined;
  /** `"handler"`: the handler decides when (`ctx.startTask()`), after gathering input by MRTR. */
  readonly taskStart: "call" | "handler" | undefined;
}

/** The engine as `tools/call` sees it. */
export interface TasksHook {
  /**
   * Serves a `tools/call` of a task-capable tool when it becomes a task (or must fail because it
   * cannot): resolves the `CreateTaskResult`, or `undefined` to run the call as usual.
   */
  route(call: McpCall, tool: TaskTool): Promise<McpResult | undefined>;
  /** A `ctx.startTask()` of a handler running in its request: the task, answered at once. */
  started(call: McpCall, tool: TaskTool): Promise<McpResult>;
  /**
   * `subscriptions/listen` with `notifications.taskIds`: the ids this (2026-07-28) caller may
   * follow (its own tasks), or the JSON-RPC error for a malformed list or a missing capability.
   */
  follow(
    sessions: SessionStore,
    auth: AuthInfo | undefined,
    listen: { params?: Record<string, unknown> },
  ): Promise<string[] | { code: number; message: string; data?: unknown }>;
  /** Runs a dispatched task job here (`handler.runTask`); `runtime` is the handler's. */
  run(runtime: object, job: unknown, host: ExecutionContextLike, env: unknown): Promise<void>;
  /** The task as `tasks/get` would answer it now (for `notifications/tasks`), if it still exists. */
  detailed(sessions: SessionStore, taskId: string): Promise<Record<string, unknown> | undefined>;
}

const engines = new WeakMap<Definitions, TasksHook>();

export function setTasksHook(definitions: Definitions, hook: TasksHook): void {
  engines.set(definitions, hook);
}

export function tasksHook(definitions: Definitions): TasksHook | undefined {
  return engines.get(definitions);
}
