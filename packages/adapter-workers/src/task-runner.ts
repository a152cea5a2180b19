/**
 * Tasks past `waitUntil` on Workers: each run of a task happens in the `alarm()` of a Durable
 * Object of its own (`idFromName("task:<taskId>")`). The request that creates the task hands the
 * job to the object, which stores it and sets an alarm for now; the alarm runs the task with
 * `app.runTask(job, env, ctx)` for up to `budgetMs` (Cloudflare stops an alarm handler after 15
 * minutes of wall-clock time); a run that reaches its deadline saves its progress
 * (`ctx.saveCheckpoint`) and dispatches the task again, which stores the next job in the same
 * object and sets a new alarm there. `enableTasks(server, { dispatch: durableObjectTaskDispatch(ns) })`
 * on the Worker's app, `export class PorticoTaskRunner extends taskRunnerObject(app) {}` in its module.
 *
 * The object is reached with `fetch` (no RPC): an RPC object must extend `DurableObject` of
 * `cloudflare:workers`, and this module is imported with `handle()` (index.ts), also under Node.
 */
import type { ExecutionContextLike, FetchApp } from "@portico/host";
import { consoleErrorReporter, createTracker, guardedWaitUntil } from "@portico/host";
import { appsByEnv } from "./_apps.ts";

/** A task job as the core's dispatch hands it over (`TaskJob` of `@portico/core`). */
export interface TaskRunnerJob {
  taskId: string;
  token: string;
}

/** Options of {@link taskRunnerObject}. */
export interface TaskRunnerOptions {
  /**
   * Wall-clock time one alarm gives a run: its `ctx.deadline` is the alarm's start plus this; the
   * core fires the tool's `ctx.signal` `deadlineMarginMs` before, and the run saves its progress and
   * dispatches the task to the next alarm. At most 15 minutes, where Cloudflare stops an alarm
   * handler. Default 14 minutes (a minute left for the hand-off).
   */
  budgetMs?: number;
  /**
   * Told about rejected `ctx.waitUntil` work of a run. Default: one `console.error` line tagged
   * `[@portico/adapter-workers]`. (A run that throws fails the alarm instead: Cloudflare logs and
   * retries it.)
   */
  onError?: (error: unknown) => void;
}

/** What `taskRunnerObject` returns: the Durable Object class to export and bind. */
export type TaskRunnerClass<Env> = new (
  ctx: DurableObjectState,
  env: Env,
) => DurableObject & {
  readonly ctx: DurableObjectState;
  readonly env: Env;
  alarm(alarmInfo?: AlarmInvocationInfo): Promise<void>;
};

/** Cloudflare stops an alarm handler after 15 minutes of wall-clock time. */
const ALARM_WALL_LIMIT_MS = 15 * 60_000;
const DEFAULT_BUDGET_MS = 14 * 60_000;
/** Cloudflare retries a failed alarm up to 6 times (exponential backoff from 2 s). */
const ALARM_RETRIES = 6;
/** Where the object keeps the job of its next run. */
const JOB_KEY = "portico:task-job";
/** The URL of the object's one route (a Durable Object's `fetch` is reachable only through its binding). */
const JOB_URL = "https://portico-task-runner/job";

/** A Portico handler's `runTask`, when the app has one. */
type TaskRunner = (job: unknown, env: unknown, ctx: ExecutionContextLike) => Promise<void>;

function jobOf(value: unknown): TaskRunnerJob | undefined {
  const { taskId, token } = (value ?? {}) as Partial<Record<keyof TaskRunnerJob, unknown>>;
  const fine = (v: unknown): v is string => typeof v === "string" && v !== "" && v.length <= 512;
  return fine(taskId) && fine(token) ? { taskId, token } : undefined;
}

function isTransient(error: unknown): boolean {
  const e = error as { retryable?: unknown; overloaded?: unknown } | null;
  return typeof e === "object" && e !== null && e.retryable === true && e.overloaded !== true;
}

/**
 * A task `dispatch` for `enableTasks(server, { dispatch: durableObjectTaskDispatch(env.TASK_RUNNER) })`:
 * hands each run's job to the Durable Object `namespace.idFromName("task:" + job.taskId)` (a
 * class made with {@link taskRunnerObject}), which stores it and sets an alarm for now. Resolves
 * once the object has stored the job, so the task is durably scheduled before the client hears of
 * it; a transient Durable Object error is retried once (storing a job twice is harmless).
 */
export function durableObjectTaskDispatch(
  namespace: DurableObjectNamespace,
): (job: unknown) => Promise<void> {
  return async (value) => {
    const job = jobOf(value);
    if (job === undefined) {
      throw new Error("durableObjectTaskDispatch: a job is { taskId: string, token: string }");
    }
    const body = JSON.stringify(job);
    const send = () =>
      // A fresh stub per call: a stub is an I/O object of the invocation that made it.
      namespace.get(namespace.idFromName(`task:${job.taskId}`)).fetch(JOB_URL, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body,
      });
    let response: Response;
    try {
      response = await send();
    } catch (error) {
      if (!isTransient(error)) throw error;
      response = await send();
    }
    const text = await response.text();
    if (response.status !== 204) {
      throw new Error(
        `durableObjectTaskDispatch: the task runner object did not take the job (HTTP ${response.status}): ${text.slice(0, 300)}`,
      );
    }
  };
}

/**
 * The Durable Object class that runs tasks from alarms, for `app` (a Portico handler with
 * `enableTasks(server, { dispatch: durableObjectTaskDispatch(…) })`) or a factory `(env) => app`
 * built once per isolate's `env`, as `handle()` does:
 *
 * ```ts
 * export class PorticoTaskRunner extends taskRunnerObject<Env>((env) => createApp(env)) {}
 * ```
 *
 * Its `fetch` takes a job (from the dispatch) and sets an alarm for now; its `alarm()` runs the
 * job with `app.runTask(job, env, ctx)`, `ctx.deadline` `budgetMs` after the alarm started and
 * `ctx.waitUntil` the object's (and awaited before the alarm ends), then deletes the job — unless
 * the run dispatched the task again, which stored a new job and set a new alarm. A run that throws
 * fails the alarm, and Cloudflare retries it (at least once, up to 6 retries with backoff from
 * 2 s) with the job still stored; a retried job whose task another run holds, or that already
 * ended, does nothing.
 */
export function taskRunnerObject<Env = unknown>(
  app: FetchApp | ((env: Env) => FetchApp),
  options: TaskRunnerOptions = {},
): TaskRunnerClass<Env> {
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  if (!(Number.isInteger(budgetMs) && budgetMs > 0 && budgetMs <= ALARM_WALL_LIMIT_MS)) {
    throw new RangeError(
      `taskRunnerObject: budgetMs must be a positive integer of at most ${ALARM_WALL_LIMIT_MS} (15 minutes, Cloudflare's limit for an alarm handler), got ${budgetMs}`,
    );
  }
  const onError = options.onError ?? consoleErrorReporter("@portico/adapter-workers");
  const appFor = appsByEnv(app);

  return class PorticoTaskRunner implements DurableObject {
    readonly ctx: DurableObjectState;
    readonly env: Env;

    constructor(ctx: DurableObjectState, env: Env) {
      this.ctx = ctx;
      this.env = env;
    }

    /** `PUT` a job (from `durableObjectTaskDispatch`): stored, and an alarm set for now. */
    async fetch(request: Request): Promise<Response> {
      if (request.method !== "PUT" || new URL(request.url).pathname !== new URL(JOB_URL).pathname) {
        return new Response("Not found", { status: 404 });
      }
      const job = jobOf(await request.json().catch(() => undefined));
      if (job === undefined) return new Response("Expected a job { taskId, token }", { status: 400 });
      await this.ctx.storage.put(JOB_KEY, job);
      // Set from inside a running alarm (a run that hands the task on), the alarm fires after it ends.
      await this.ctx.storage.setAlarm(Date.now());
      return new Response(null, { status: 204 });
    }

    async alarm(alarmInfo?: AlarmInvocationInfo): Promise<void> {
      const storage = this.ctx.storage;
      const job = await storage.get<TaskRunnerJob>(JOB_KEY);
      if (job === undefined) return;
      const pending = createTracker();
      const deadline = Date.now() + budgetMs;
      const ctx: ExecutionContextLike = {
        waitUntil: guardedWaitUntil((guarded) => {
          pending.add(guarded);
          this.ctx.waitUntil(guarded);
        }, onError),
        deadline,
      };
      try {
        const target = appFor(this.env);
        const runTask = (target as { runTask?: TaskRunner }).runTask;
        if (typeof runTask !== "function") {
          throw new Error(
            "@portico/adapter-workers: the task runner's app has no runTask (a Portico handler with enableTasks?)",
          );
        }
        await runTask.call(target, job, this.env, ctx);
      } catch (error) {
        // Cloudflare retries the alarm with the job still stored; after its last retry nothing
        // would run it again, so the object lets it go (the client's next `tasks/get` takes the
        // task up once its lease has run out).
        if ((alarmInfo?.retryCount ?? 0) >= ALARM_RETRIES) await this.#forget(job);
        throw error;
      } finally {
        // Work added while waiting is waited for too, until the run's deadline at the latest.
        await pending.settled(deadline);
      }
      await this.#forget(job);
    }

    /** Deletes `job` unless a newer one replaced it; an object left with nothing deletes its storage. */
    async #forget(job: TaskRunnerJob): Promise<void> {
      const storage = this.ctx.storage;
      const stored = await storage.get<TaskRunnerJob>(JOB_KEY);
      if (stored === undefined || stored.token !== job.token || stored.taskId !== job.taskId) return;
      // A new alarm set during this one (`getAlarm()` is null inside an alarm unless one was set).
      if ((await storage.getAlarm()) !== null) {
        await storage.delete(JOB_KEY);
        return;
      }
      await storage.deleteAll();
    }
  };
}
