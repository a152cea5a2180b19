/**
 * Tasks (`enableTasks`): when a `tools/call` becomes a task, how the task is created (durably,
 * before the client hears of it) and dispatched to a run, and how a run whose instance stopped is
 * taken up again. Both eras: the 2026-07-28 extension `io.modelcontextprotocol/tasks` (the server
 * decides; the client declares the extension per request) and 2025-11-25's experimental tasks
 * (the client asks with `params.task`).
 */
import type { Call } from "../call/call.ts";
import type { Runtime } from "../call/runtime.ts";
import type { McpResult } from "../definition/method.ts";
import type { McpServer } from "../definition/server.ts";
import { setTasksHook, type TaskTool } from "../definition/task-hook.ts";
import type { ExecutionContextLike } from "../definition/types.ts";
import { ErrorCode, McpError, PorticoError, StoreUnavailableError } from "../errors.ts";
import { randomId } from "../util/encoding.ts";
import { isInstance } from "../util/is-instance.ts";
import { MAX_TIMER_MS } from "../util/timer.ts";
import { allowanceOf, declaresTasks, missingTasksCapability, ownerOf, setTaskSettings } from "./access.ts";
import { dispatch, work } from "./dispatch.ts";
import { follow } from "./follow.ts";
import { forgetTask, rememberTask } from "./list.ts";
import { TASKS } from "./methods.ts";
import { legacyTask, modernTask, type TaskInput, type TaskRecord } from "./record.ts";
import type { TaskJob, TaskSettings } from "./run.ts";
import { TaskRecords } from "./store.ts";

/** Options of {@link enableTasks}. */
export interface TasksOptions {
  /** How long a task and its result are kept, from its creation. Default 1 hour. */
  ttlMs?: number;
  /** The longest TTL a 2025-11-25 client may ask for (`params.task.ttl`). Default 24 hours. */
  maxTtlMs?: number;
  /**
   * The shortest TTL a 2025-11-25 client may ask for: a shorter `params.task.ttl` gets this one
   * (the task's `ttl` says so). A task holds its caller's slot (`maxTasksPerCaller`) until its TTL
   * ends, so this bounds how fast one caller can turn slots over. Default 1 minute (`ttlMs` when
   * that is shorter); at most `ttlMs` and `maxTtlMs`.
   */
  minTtlMs?: number;
  /** Polling interval suggested to clients (`pollIntervalMs`). Default 1000 ms. */
  pollIntervalMs?: number;
  /**
   * How long a run holds a task without renewing (it renews every third of it while it runs). A
   * task whose run stopped renewing is taken up again by the next `tasks/get`. Default 30 s; at
   * most 2^31−1 ms (about 24.8 days).
   */
  leaseMs?: number;
  /**
   * Runs of one task in a row that end without saving progress (`ctx.saveCheckpoint`) before it
   * fails: its worker kept dying, or it cannot finish within the host's time limit. A run that
   * saves progress starts the count again, so a checkpointing task may take any number of runs.
   * Default 3.
   */
  maxRuns?: number;
  /**
   * Most tasks one caller holds at once (a task is held until its TTL ends, finished or not);
   * beyond, `tools/call` fails with `-32600` and `data.retryAfterMs`. Anonymous callers' tasks
   * count by their address (`ctx.clientAddress`, as `maxSessionsPerCaller` does; for 2025-11-25,
   * across all their sessions); with no address known, anonymous 2026-07-28 callers share one
   * allowance and anonymous 2025-11-25 ones count per session. Default 1000.
   */
  maxTasksPerCaller?: number;
  /**
   * Runs a task somewhere else — an SQS queue, an asynchronous invocation of the same Lambda
   * function — by handing over `job`, which the worker passes to `handler.runTask(job)`. Default:
   * in this instance, kept alive with the host's `waitUntil`.
   */
  dispatch?: (job: TaskJob, host: ExecutionContextLike) => Promise<void>;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value > 0)) {
    throw new PorticoError("invalid_tasks", `enableTasks: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** A duration armed as a timer (the lease's renewal): no longer than a timer can wait. */
function timer(name: string, value: number): number {
  if (value > MAX_TIMER_MS) {
    throw new PorticoError(
      "invalid_tasks",
      `enableTasks: ${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days), got ${value}`,
    );
  }
  return value;
}

/**
 * Lets tools declared with `taskSupport` run as tasks: installs `tasks/get`, `tasks/update` and
 * `tasks/cancel` (2026-07-28), `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel`
 * (2025-11-25), and the capability of each era. Task records live in the handler's session store.
 *
 * ```ts
 * enableTasks(server);
 * addTool(server, "report", { taskSupport: "optional", input }, async (args, ctx) => buildReport(args, ctx.signal));
 * ```
 */
export function enableTasks(server: McpServer, options: TasksOptions = {}): void {
  const ttlMs = positive("ttlMs", options.ttlMs, 3_600_000);
  const maxTtlMs = positive("maxTtlMs", options.maxTtlMs, 86_400_000);
  const minTtlMs = positive("minTtlMs", options.minTtlMs, Math.min(60_000, ttlMs, maxTtlMs));
  if (minTtlMs > ttlMs || minTtlMs > maxTtlMs) {
    throw new PorticoError(
      "invalid_tasks",
      `enableTasks: minTtlMs (${minTtlMs}) must not exceed ttlMs (${ttlMs}) or maxTtlMs (${maxTtlMs})`,
    );
  }
  const settings: TaskSettings = {
    ttlMs,
    maxTtlMs,
    minTtlMs,
    pollIntervalMs: positive("pollIntervalMs", options.pollIntervalMs, 1000),
    leaseMs: timer("leaseMs", positive("leaseMs", options.leaseMs, 30_000)),
    maxRuns: positive("maxRuns", options.maxRuns, 3),
    maxTasksPerCaller: positive("maxTasksPerCaller", options.maxTasksPerCaller, 1000),
    dispatch: options.dispatch,
  };
  setTaskSettings(server, settings);
  server.install(TASKS);
  setTasksHook(server, {
    route: (call, tool) => route(call as Call, settings, tool),
    started: (call) => create(call as Call, settings),
    follow: (sessions, auth, listen) => follow(sessions, auth, listen),
    run: async (runtime, job, host, env) => work(runtime as Runtime, settings, jobOf(job), host, env),
    detailed: async (sessions, taskId) => {
      const record = await new TaskRecords(sessions).get(taskId);
      return record === undefined ? undefined : modernTask(record, true);
    },
  });
}

async function route(call: Call, settings: TaskSettings, tool: TaskTool): Promise<McpResult | undefined> {
  const support = tool.taskSupport ?? "forbidden";
  if (call.era === "legacy") {
    const asked = call.params.task;
    if (asked === undefined || asked === null) {
      if (support === "required") {
        throw new McpError(
          ErrorCode.MethodNotFound,
          `Tool ${tool.name} must be called as a task (params.task)`,
        );
      }
      return undefined;
    }
    if (typeof asked !== "object" || Array.isArray(asked)) {
      throw new McpError(ErrorCode.InvalidParams, "Invalid params: /task must be an object");
    }
    if (support === "forbidden") {
      throw new McpError(ErrorCode.MethodNotFound, `Tool ${tool.name} cannot be called as a task`);
    }
    return create(call, settings);
  }
  if (support === "forbidden") return undefined;
  if (!declaresTasks(call.clientCapabilities)) {
    if (support === "required") throw missingTasksCapability(`tool ${tool.name}`);
    return undefined;
  }
  if (tool.taskStart === "handler") {
    call.taskable = true;
    return undefined;
  }
  return create(call, settings);
}

/**
 * The TTL a 2025-11-25 client asked for, within the server's bounds (the spec lets the receiver
 * override it; the Task it answers says which TTL it uses).
 */
function ttlOf(call: Call, settings: TaskSettings): number {
  const asked = (call.params.task as { ttl?: unknown } | undefined)?.ttl;
  if (typeof asked === "number" && Number.isInteger(asked) && asked > 0)
    return Math.min(Math.max(asked, settings.minTtlMs), settings.maxTtlMs);
  return settings.ttlMs;
}

/** Creates the task of `call` (durably), dispatches its first run and answers the CreateTaskResult. */
async function create(call: Call, settings: TaskSettings): Promise<McpResult> {
  const { rt } = call;
  const now = Date.now();
  const token = randomId(16);
  // The token is never stored: a run needs who called, not their credential.
  const { token: _token, ...auth } = call.auth ?? {};
  const legacy = call.era === "legacy";
  const record: TaskRecord = {
    id: randomId(26),
    status: "working",
    created: now,
    updated: now,
    ttlMs: legacy ? ttlOf(call, settings) : settings.ttlMs,
    pollMs: settings.pollIntervalMs,
    owner: ownerOf(call),
    era: call.era,
    protocolVersion: call.protocolVersion,
    tool: call.params.name as string,
    input: "apart",
    runs: 1,
    // Reserved for the dispatched run; if that run never starts, the lease runs out and the next
    // `tasks/get` takes the task up again.
    lease: { by: token, until: now + settings.leaseMs },
  };
  if (call.sessionId !== undefined) record.session = call.sessionId;
  const input: TaskInput = {
    args: (call.params.arguments ?? {}) as Record<string, unknown>,
    clientCapabilities: call.clientCapabilities,
    answers: { ...(call.link.answers ?? {}) },
  };
  if (call.auth !== undefined) input.auth = auth as Record<string, unknown>;
  // A slot first, so that concurrent calls of one caller never exceed its limit.
  const expiresAt = record.created + record.ttlMs;
  const allowance = allowanceOf(call, record.owner);
  await rememberTask(rt, allowance, record.id, expiresAt, settings.maxTasksPerCaller);
  if (allowance !== record.owner && record.owner !== null) {
    // The session's own list too: what its tasks/list answers (an anonymous 2026-07-28 caller has
    // none: its tasks are reached by id alone).
    try {
      await rememberTask(rt, record.owner, record.id, expiresAt, settings.maxTasksPerCaller);
    } catch (error) {
      await forgetTask(rt, allowance, record.id);
      throw error;
    }
  }
  // A task that is not stored gives its slots back (else they stay taken until its TTL).
  const release = async () => {
    await forgetTask(rt, allowance, record.id).catch(() => {});
    if (allowance !== record.owner && record.owner !== null)
      await forgetTask(rt, record.owner, record.id).catch(() => {});
  };
  let stored: boolean;
  try {
    stored = await new TaskRecords(rt.stores.sessions).create(record, input);
  } catch (error) {
    await release();
    if (isInstance(error, StoreUnavailableError)) throw error;
    // Refused for good (arguments over DynamoDB's 400 KB item, say): the store's error goes to
    // onError, the client gets a plain one.
    rt.report(error, `task ${record.id} create`);
    throw new McpError(ErrorCode.InternalError, "Internal error: the task could not be stored");
  }
  if (!stored) {
    await release();
    throw new McpError(ErrorCode.InternalError, "Internal error: could not create the task");
  }
  await dispatch(rt, settings, { taskId: record.id, token }, call.incoming);
  return legacy ? { task: legacyTask(record) } : { resultType: "task", ...modernTask(record, false) };
}

/** A task job as a worker receives it (from a queue or an invocation event): checked, not trusted. */
function jobOf(job: unknown): TaskJob {
  const { taskId, token } = (job ?? {}) as Partial<Record<keyof TaskJob, unknown>>;
  if (typeof taskId !== "string" || typeof token !== "string" || taskId === "" || token === "") {
    throw new PorticoError("invalid_task_job", "runTask: a job is { taskId: string, token: string }");
  }
  return { taskId, token };
}
