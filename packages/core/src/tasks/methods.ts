/**
 * The task methods. 2026-07-28 (extension, SEP-2663): `tasks/get` (the task with its outcome or
 * asks inlined), `tasks/update` (answers to its asks), `tasks/cancel` (an ack). 2025-11-25
 * (experimental): `tasks/get`, `tasks/result` (waits for the outcome), `tasks/list`, `tasks/cancel`.
 * A task is only ever found for the caller who created it; for anyone else it does not exist.
 */

import type { Call } from "../call/call.ts";
import { isAnswerShaped } from "../call/inputs.ts";
import type { InputRequest } from "../definition/context.ts";
import type { McpCall, McpResult, MethodFamily } from "../definition/method.ts";
import { ErrorCode, McpError } from "../errors.ts";
import { taskTopic } from "../stores/keys.ts";
import { randomId } from "../util/encoding.ts";
import { declaresTasks, missingTasksCapability, ownerOf, taskSettings } from "./access.ts";
import { dispatch, resumeIfStalled } from "./dispatch.ts";
import { listTasks } from "./list.ts";
import { legacyTask, modernTask, TASKS_EXTENSION, type TaskRecord, TERMINAL } from "./record.ts";
import { announce } from "./run.ts";
import { TaskRecords } from "./store.ts";

const RELATED = "io.modelcontextprotocol/related-task";

function taskIdOf(call: McpCall): string {
  const id = call.params.taskId;
  if (typeof id !== "string" || id === "")
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /taskId must be a non-empty string");
  return id;
}

/** The caller's task, or -32602 (also for someone else's task: its existence is not revealed). */
async function ownTask(call: McpCall): Promise<TaskRecord> {
  const id = taskIdOf(call);
  if (call.era === "modern" && !declaresTasks(call.ctx.clientCapabilities))
    throw missingTasksCapability(call.method);
  const record = await new TaskRecords((call as Call).rt.stores.sessions).get(id);
  if (record === undefined || record.owner !== ownerOf(call)) {
    throw new McpError(ErrorCode.InvalidParams, "Failed to retrieve task: Task not found (or expired)", {
      taskId: id,
    });
  }
  return record;
}

async function getTask(call: McpCall): Promise<McpResult> {
  const c = call as Call;
  const record = await resumeIfStalled(c.rt, taskSettings(call.definitions), await ownTask(call), c.incoming);
  return call.era === "modern" ? modernTask(record, true) : legacyTask(record);
}

/**
 * Records answers to a task's outstanding asks (others are ignored); once none is outstanding the
 * task works again, in a new run. The answers join the task's input before their asks close (by
 * compare-and-set on the task's record, for asks still open), so the run dispatched when the last
 * one closes reads every answer.
 */
async function answer(call: McpCall, record: TaskRecord, responses: Record<string, unknown>): Promise<void> {
  const c = call as Call;
  const settings = taskSettings(call.definitions);
  const records = new TaskRecords(c.rt.stores.sessions);
  // `record` was just read; the change below checks each answer again against the live record.
  if (record.status !== "input_required" || record.asks === undefined) return;
  const given: Record<string, unknown> = {};
  for (const [key, response] of Object.entries(responses)) {
    const ask = record.asks[key];
    if (ask === undefined) continue;
    if (!isAnswerShaped(ask, response)) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Invalid params: /inputResponses/${key} is not an answer to its ${ask.method} request`,
      );
    }
    given[key] = response;
  }
  if (Object.keys(given).length === 0) return;
  await records.addAnswers(record, given);
  const token = randomId(16);
  const written = await records.change(record.id, (r) => {
    if (r.status !== "input_required" || r.asks === undefined) return undefined;
    let closed = false;
    for (const [key, response] of Object.entries(given)) {
      const ask = r.asks[key];
      if (ask === undefined || !isAnswerShaped(ask, response)) continue;
      delete r.asks[key];
      // An earlier version's record keeps its answers inline.
      if (r.input !== "apart") r.answers = { ...r.answers, [key]: response };
      closed = true;
    }
    if (!closed) return undefined;
    if (Object.keys(r.asks).length === 0) {
      r.status = "working";
      delete r.asks;
      r.message = "Working";
      r.lease = { by: token, until: Date.now() + settings.leaseMs };
    }
    return r;
  });
  if (written?.status !== "working") return;
  await announce(c.rt, written);
  await dispatch(c.rt, settings, { taskId: record.id, token }, c.incoming);
}

async function updateTask(call: McpCall): Promise<McpResult> {
  const responses = call.params.inputResponses;
  if (typeof responses !== "object" || responses === null || Array.isArray(responses)) {
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /inputResponses must be an object");
  }
  await answer(call, await ownTask(call), responses as Record<string, unknown>);
  return {};
}

/** Cancels a task that has not ended; resolves the cancelled record, or `undefined` if it had ended. */
async function cancel(call: McpCall, record: TaskRecord): Promise<TaskRecord | undefined> {
  const c = call as Call;
  const written = await new TaskRecords(c.rt.stores.sessions).change(record.id, (r) => {
    if (TERMINAL.has(r.status)) return undefined;
    r.status = "cancelled";
    r.message = "The task was cancelled by request";
    delete r.asks;
    delete r.lease;
    return r;
  });
  if (written === undefined) return undefined;
  // The instance running it (if any) aborts the handler's signal.
  await c.rt.stores.bus.publish(taskTopic(record.id), { type: "cancel" });
  await announce(c.rt, written);
  return written;
}

async function cancelModern(call: McpCall): Promise<McpResult> {
  await cancel(call, await ownTask(call));
  return {};
}

async function cancelLegacy(call: McpCall): Promise<McpResult> {
  const record = await ownTask(call);
  const cancelled = await cancel(call, record);
  if (cancelled === undefined) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Cannot cancel task: it has already ended (${record.status})`,
      {
        taskId: record.id,
      },
    );
  }
  return legacyTask(cancelled);
}

/**
 * 2025-11-25 `tasks/result`: waits for the task to end and answers what its `tools/call` would
 * have answered. A task waiting on input asks the client over this request's stream. Waiting ends
 * with the request (the host's deadline): the client then calls again.
 */
async function taskResult(call: McpCall): Promise<McpResult> {
  const c = call as Call;
  let record = await ownTask(call);
  let wake: () => void = () => {};
  const subscription = await c.rt.stores.bus.subscribe(taskTopic(record.id), () => wake());
  // One listener for the whole wait (not one per poll: a long wait would pile them up).
  const onAbort = () => wake();
  call.signal.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      if (record.status === "completed") {
        const result = record.result ?? { content: [] };
        const meta = {
          ...(result._meta as Record<string, unknown> | undefined),
          [RELATED]: { taskId: record.id },
        };
        return { ...result, _meta: meta };
      }
      if (record.status === "failed") {
        const error = record.error ?? { code: ErrorCode.InternalError, message: "Task failed" };
        throw new McpError(error.code, error.message, error.data);
      }
      if (record.status === "cancelled") {
        throw new McpError(ErrorCode.InternalError, `Task ${record.id} was cancelled`, { taskId: record.id });
      }
      if (record.status === "input_required" && record.asks !== undefined) {
        const asks: Record<string, InputRequest> = {};
        for (const [key, ask] of Object.entries(record.asks)) {
          const params = { ...(ask.params ?? {}), _meta: { [RELATED]: { taskId: record.id } } };
          asks[key] = { ...ask, params } as InputRequest;
        }
        await answer(call, record, await call.ctx.inputs(asks));
      } else {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, record.pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
          if (call.signal.aborted) wake();
        });
      }
      if (call.signal.aborted) {
        // The host's time is up: the client asks again (the task goes on regardless).
        throw new McpError(ErrorCode.InternalError, "The task is still working: call tasks/result again", {
          taskId: record.id,
          retryAfterMs: record.pollMs,
        });
      }
      const settings = taskSettings(call.definitions);
      record = await resumeIfStalled(c.rt, settings, await ownTask(call), c.incoming);
    }
  } finally {
    call.signal.removeEventListener("abort", onAbort);
    await subscription.unsubscribe().catch((error) => c.rt.report(error, "tasks/result"));
  }
}

const MODERN = ["modern"] as const;
const LEGACY = ["legacy"] as const;
const BOTH = ["modern", "legacy"] as const;

/** The tasks family (`enableTasks` installs it). */
export const TASKS: MethodFamily = {
  name: "tasks",
  methods: {
    "tasks/get": { eras: BOTH, nameParam: "taskId", handler: getTask },
    "tasks/update": { eras: MODERN, nameParam: "taskId", handler: updateTask },
    "tasks/cancel": {
      eras: BOTH,
      nameParam: "taskId",
      handler: (call) => (call.era === "modern" ? cancelModern(call) : cancelLegacy(call)),
    },
    "tasks/result": { eras: LEGACY, handler: taskResult },
    "tasks/list": {
      eras: LEGACY,
      handler: (call) => listTasks(call, (call as Call).rt, ownerOf(call)),
    },
  },
  capabilities: (_definitions, era) =>
    era === "modern"
      ? { extensions: { [TASKS_EXTENSION]: {} } }
      : { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
};
