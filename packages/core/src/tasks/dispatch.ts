/** Where a task's runs start: the configured dispatch, or this instance. */
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { ExecutionContextLike } from "../definition/types.ts";
import { ErrorCode } from "../errors.ts";
import { randomId } from "../util/encoding.ts";
import type { TaskRecord } from "./record.ts";
import { announce, runTask, type TaskJob, type TaskSettings } from "./run.ts";
import { TaskRecords } from "./store.ts";

/** Starts a run of a task: the configured dispatch, or here (kept alive by the host's `waitUntil`). */
export async function dispatch(
  rt: Runtime,
  settings: TaskSettings,
  job: TaskJob,
  incoming: Pick<Incoming, "env" | "host">,
): Promise<void> {
  if (settings.dispatch !== undefined) {
    // A dispatch that fails (a throttled invocation, a queue that is down) leaves the task stored,
    // its lease running out: the next poll after that takes it up and dispatches it again. The
    // client gets its task (to poll), not an error for a task it could never see again.
    try {
      await settings.dispatch(job, incoming.host);
    } catch (error) {
      rt.report(error, `task ${job.taskId} dispatch`);
    }
    return;
  }
  const run = work(rt, settings, job, incoming.host, incoming.env).catch((error) =>
    rt.report(error, `task ${job.taskId}`),
  );
  incoming.host.waitUntil?.(run);
}

/**
 * Runs a task here (a dispatched job: `handler.runTask(job)` on the worker). A run that the host's
 * deadline or shutdown stopped hands the task on: with a `dispatch` configured, straight to a new
 * run (the next invocation, which starts from the tool's checkpoint); otherwise the next poll
 * takes it up.
 */
export async function work(
  rt: Runtime,
  settings: TaskSettings,
  job: TaskJob,
  host: ExecutionContextLike,
  env: unknown,
): Promise<void> {
  const outcome = await runTask(rt, settings, job, host, env);
  if (outcome !== "handed-back" || settings.dispatch === undefined) return;
  const record = await new TaskRecords(rt.stores.sessions).get(job.taskId);
  if (record !== undefined) await resumeIfStalled(rt, settings, record, { env, host });
}

/**
 * A working task whose run stopped renewing its lease (its instance died, or its dispatch was
 * lost) is dispatched again; resolves the record as it now stands.
 */
export async function resumeIfStalled(
  rt: Runtime,
  settings: TaskSettings,
  record: TaskRecord,
  incoming: Pick<Incoming, "env" | "host">,
): Promise<TaskRecord> {
  if (record.status !== "working" || (record.lease?.until ?? 0) > Date.now()) return record;
  const token = randomId(16);
  const taken = await new TaskRecords(rt.stores.sessions).change(record.id, (r) => {
    if (r.status !== "working" || (r.lease?.until ?? 0) > Date.now()) return undefined;
    if (r.runs >= settings.maxRuns) {
      // Its runs kept stopping (or never started): it fails rather than stay `working` forever.
      r.status = "failed";
      r.message = `The task stopped ${r.runs} times in a row without saving progress (its worker died, never started or ran out of time); giving up`;
      r.error = { code: ErrorCode.InternalError, message: r.message };
      delete r.lease;
      return r;
    }
    r.runs += 1;
    r.lease = { by: token, until: Date.now() + settings.leaseMs };
    return r;
  });
  if (taken === undefined) return record;
  if (taken.status === "failed") await announce(rt, taken);
  else await dispatch(rt, settings, { taskId: record.id, token }, incoming);
  return taken;
}
