/**
 * The event of an asynchronous invocation that runs one task (see `invokeSelf`): both handlers
 * hand it to `app.runTask(job)` with the invocation's deadline, instead of treating it as HTTP.
 */
import type { FetchApp } from "@portico/host";
import { invocation } from "./_host.ts";
import type { LambdaContextLike } from "./_types.ts";

/** The event an asynchronous invocation carries to run one task. */
export interface TaskEvent {
  portico: "task";
  job: unknown;
}

/** Whether a Lambda event is a task run (and not an HTTP event). */
export function isTaskEvent(event: unknown): event is TaskEvent {
  return typeof event === "object" && event !== null && (event as { portico?: unknown }).portico === "task";
}

/** A Portico handler's `runTask`, when the app has one. */
type TaskRunner = (job: unknown, env: unknown, ctx: object) => Promise<void>;

/**
 * Runs the task of `event` in this invocation (until its deadline, minus the core's margin) and
 * waits for its `waitUntil` work, until the deadline minus `marginMs` at the latest. An app without `runTask` (tasks not enabled) fails the invocation.
 */
export async function runTaskEvent(
  app: FetchApp,
  event: TaskEvent,
  env: unknown,
  context: LambdaContextLike | undefined,
  onError: (error: unknown) => void,
  marginMs: number,
): Promise<void> {
  const runTask = (app as { runTask?: TaskRunner }).runTask;
  if (typeof runTask !== "function") {
    throw new Error(
      "@portico/adapter-lambda: a task event reached an app without runTask (enableTasks not called?)",
    );
  }
  const run = invocation(context, undefined, undefined, undefined, false, onError);
  try {
    await runTask.call(app, event.job, env, run.ctx);
  } finally {
    // Lambda would end (and retry) an invocation that runs into its timeout.
    await run.settled(run.ctx.deadline === undefined ? undefined : run.ctx.deadline - marginMs);
  }
}
