/**
 * One run of a task's tool, apart from the request that started it: it claims the task's lease
 * (so two instances never run it at once), renews it while the tool runs (heartbeat), hears
 * `tasks/cancel` over the bus, and writes the outcome by compare-and-set — `completed` with the
 * tool's result, `failed` with a JSON-RPC error, or `input_required` with the asks the handler
 * could not have answered yet. A later run (after `tasks/update`, or after the instance running it
 * stopped) runs the handler again from the start with every answer so far, as MRTR does.
 */

import { LightHeaders } from "@portico/host";
import { Call, type EraLink } from "../call/call.ts";
import { InputCollector } from "../call/inputs.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { Era, InputRequest } from "../definition/context.ts";
import type { AuthInfo, ExecutionContextLike } from "../definition/types.ts";
import { ErrorCode, InputRequiredSignal, McpError, StoreUnavailableError } from "../errors.ts";
import type { LogLevel } from "../jsonrpc/protocol.ts";
import { runTool, type ToolEntry } from "../methods/tools.ts";
import { keys, taskTopic, topics } from "../stores/keys.ts";
import type { JsonValue, Subscription } from "../stores/types.ts";
import { randomId } from "../util/encoding.ts";
import { isInstance } from "../util/is-instance.ts";
import { MAX_TIMER_MS } from "../util/timer.ts";
import { legacyTask, sessionOf, type TaskInput, type TaskRecord, TERMINAL } from "./record.ts";
import { TaskRecords } from "./store.ts";

/** How tasks are kept (see `TasksOptions`). */
export interface TaskSettings {
  ttlMs: number;
  maxTtlMs: number;
  minTtlMs: number;
  pollIntervalMs: number;
  leaseMs: number;
  maxRuns: number;
  maxTasksPerCaller: number;
  /** Runs a task elsewhere (a queue, an async invocation); default: here, kept alive by `waitUntil`. */
  dispatch: ((job: TaskJob, host: ExecutionContextLike) => Promise<void>) | undefined;
}

/** What a worker needs to run a task: its id and the lease token the dispatch reserved for it. */
export interface TaskJob {
  taskId: string;
  token: string;
}

/** A run's handler context: the task's facts; asks answered from the task's answers, else recorded. */
class TaskLink implements EraLink {
  readonly era: Era;
  readonly protocolVersion: string;
  readonly sessionId: string | undefined;
  readonly session = undefined;
  readonly clientCapabilities: Record<string, unknown>;
  readonly clientInfo = undefined;
  readonly stream = { canStream: false };
  readonly inTask = true;
  readonly collector: InputCollector;
  readonly checkpoint: { value: unknown; save(value: unknown): Promise<void> };

  constructor(record: TaskRecord, input: TaskInput, save: (value: unknown) => Promise<void>) {
    this.era = record.era;
    this.protocolVersion = record.protocolVersion;
    this.sessionId = record.session;
    this.clientCapabilities = input.clientCapabilities;
    this.collector = new InputCollector(input.answers, input.clientCapabilities);
    const checkpoint = {
      value: record.checkpoint,
      save: async (value: unknown) => {
        await save(value);
        checkpoint.value = value;
      },
    };
    this.checkpoint = checkpoint;
  }

  logLevel(): LogLevel | undefined {
    return undefined;
  }

  ask(requests: Record<string, InputRequest>): Promise<Record<string, unknown>> {
    return this.collector.ask(requests);
  }

  closeStream(): void {}
}

const NEVER = new AbortController().signal;

/** The host facts a run keeps: its deadline, shutdown signal and `waitUntil` (never a request's disconnect). */
function runHost(host: ExecutionContextLike): ExecutionContextLike {
  const kept: ExecutionContextLike = {};
  if (host.waitUntil !== undefined) {
    const waitUntil = (promise: Promise<unknown>) => host.waitUntil?.(promise);
    kept.waitUntil = waitUntil; // through a local: see onClientGone in call/call.ts
  }
  if (host.signal !== undefined) kept.signal = host.signal;
  if (host.deadline !== undefined) kept.deadline = host.deadline;
  return kept;
}

/** The call a run serves: `tools/call` of the task's tool, with no HTTP request behind it. */
function taskCall(
  rt: Runtime,
  record: TaskRecord,
  input: TaskInput,
  tool: ToolEntry,
  host: ExecutionContextLike,
  env: unknown,
  save: (value: unknown) => Promise<void>,
) {
  const installed = rt.server.method("tools/call");
  if (installed === undefined) throw new Error("tools/call is not installed");
  const incoming: Incoming = {
    request: { headers: new LightHeaders(), signal: NEVER, url: "task:" } as unknown as Request,
    env,
    host: runHost(host),
    auth: input.auth as AuthInfo | undefined,
  };
  const link = new TaskLink(record, input, save);
  const message = {
    jsonrpc: "2.0" as const,
    id: `task:${record.id}`,
    method: "tools/call",
    params: { name: tool.name, arguments: input.args },
  };
  return { call: new Call(rt, incoming, message, installed.spec, link), link };
}

/**
 * Runs task `job.taskId` here if its lease is `job.token`'s (or has run out): resolves when the run
 * has written its outcome (`"settled"`), at once when another run holds the task or it is no longer
 * working (`"skipped"`), or `"handed-back"` when the host's deadline or shutdown stopped the run
 * (its lease is released for another run).
 */
export async function runTask(
  rt: Runtime,
  settings: TaskSettings,
  job: TaskJob,
  host: ExecutionContextLike,
  env: unknown,
): Promise<"settled" | "skipped" | "handed-back"> {
  const records = new TaskRecords(rt.stores.sessions);
  const me = randomId(16);
  const claimed = await records.change(job.taskId, (r) => {
    if (r.status !== "working") return undefined;
    if (r.lease !== undefined && r.lease.by !== job.token && r.lease.until > Date.now()) return undefined;
    r.lease = { by: me, until: Date.now() + settings.leaseMs };
    return r;
  });
  if (claimed === undefined) return "skipped";
  const tool = rt.server.registry<ToolEntry>("tools").get(claimed.tool);
  const input = tool === undefined ? undefined : await records.input(claimed);
  if (tool === undefined || input === undefined) {
    await settle(rt, records, me, claimed.id, (r) => {
      r.status = "failed";
      r.message =
        tool === undefined
          ? `Tool ${claimed.tool} is no longer available`
          : "The task's input is no longer stored";
      r.error = {
        code: tool === undefined ? ErrorCode.InvalidParams : ErrorCode.InternalError,
        message: r.message,
      };
    });
    return "settled";
  }
  const save = async (value: unknown) => {
    const saved = await records.change(claimed.id, (r) => {
      if (r.lease?.by !== me || TERMINAL.has(r.status)) return undefined;
      r.checkpoint = value;
      // Progress: the runs that count towards maxRuns start again from this one.
      r.runs = 1;
      return r;
    });
    if (saved === undefined)
      throw new Error(`task ${claimed.id}: the checkpoint was not saved (the run no longer holds the task)`);
  };
  const { call, link } = taskCall(rt, claimed, input, tool, host, env, save);
  let cancelled = false;
  let subscription: Subscription | undefined;
  // Set when this run must stop without writing: its lease went elsewhere, or the task is gone.
  let lost = false;
  const lose = (why: string) => {
    clearInterval(heartbeat);
    clearTimeout(expiry);
    if (lost || cancelled) return;
    lost = true;
    call.abort(new DOMException(why, "AbortError"));
  };
  // A run never outlives its task: when the TTL ends the record is gone (and the caller's slot
  // free), so the run stops then, whatever the store says.
  const expiresAt = claimed.created + claimed.ttlMs;
  const left = expiresAt - Date.now();
  const expiry =
    left <= MAX_TIMER_MS ? setTimeout(() => lose("The task's TTL ran out"), Math.max(0, left)) : undefined;
  (expiry as { unref?: () => void } | undefined)?.unref?.();
  const session = sessionOf(claimed);
  const renew = async () => {
    if (Date.now() >= expiresAt) return lose("The task's TTL ran out");
    let found = false;
    const renewed = await records.change(
      claimed.id,
      (r) => {
        found = true;
        // The lease went elsewhere (this run was stalled past it), or the task ended: stop, so two
        // runs never go on side by side.
        if (r.lease?.by !== me || TERMINAL.has(r.status)) return undefined;
        r.lease.until = Date.now() + settings.leaseMs;
        return r;
      },
      false,
    );
    if (renewed === undefined)
      return lose(found ? "The task's lease was lost" : "The task's record is gone (its TTL ran out)");
    // Only its session could reach this task: once the session ended (DELETE, or it expired),
    // nobody can, so the task goes and its run stops.
    if (session !== undefined && (await rt.stores.sessions.get(keys.session(session))) === undefined) {
      await records.remove(claimed.id);
      lose("The session that created the task ended");
    }
  };
  const heartbeat = setInterval(
    () => void renew().catch((error) => rt.report(error, `task ${claimed.id} heartbeat`)),
    Math.max(100, Math.floor(settings.leaseMs / 3)),
  );
  (heartbeat as { unref?: () => void }).unref?.();
  try {
    subscription = await rt.stores.bus.subscribe(taskTopic(claimed.id), (message) => {
      if ((message as { type?: unknown } | null)?.type === "cancel") {
        cancelled = true;
        call.abort(new DOMException("The task was cancelled", "AbortError"));
      }
    });
    // A cancel that landed between the claim and the subscription.
    const now = await records.get(claimed.id);
    if (now === undefined || TERMINAL.has(now.status)) return "skipped";
    let outcome: (r: TaskRecord) => void;
    try {
      const result = await runTool(tool, call);
      outcome = link.collector.hasPending ? asked(link.collector.pending) : completed(result);
    } catch (error) {
      if (link.collector.hasPending || isInstance(error, InputRequiredSignal)) {
        outcome = asked(link.collector.pending);
      } else if (cancelled) {
        return "settled";
      } else if (lost) {
        return "skipped";
      } else if (call.aborted) {
        // Shutdown or the host's deadline: hand the task back, so another run takes it up.
        await records.change(claimed.id, (r) => {
          if (r.lease?.by !== me || r.status !== "working") return undefined;
          r.lease.until = 0;
          return r;
        });
        return "handed-back";
      } else {
        // Looking at what was thrown never throws (a Proxy's traps): the value itself is reported.
        const mcp = isInstance(error, McpError);
        const wire: NonNullable<TaskRecord["error"]> = mcp
          ? { code: error.code, message: error.message }
          : { code: ErrorCode.InternalError, message: "Internal error" };
        if (mcp && error.data !== undefined) wire.data = error.data;
        if (!mcp) call.report(error, `task ${claimed.id}`);
        outcome = (r) => {
          r.status = "failed";
          r.message = wire.message;
          r.error = wire;
        };
      }
    }
    await settle(rt, records, me, claimed.id, outcome);
    return "settled";
  } finally {
    clearInterval(heartbeat);
    clearTimeout(expiry);
    call.dispose();
    await subscription?.unsubscribe().catch((error) => rt.report(error, `task ${claimed.id}`));
  }
}

function completed(result: Record<string, unknown>): (r: TaskRecord) => void {
  const { resultType: _drop, ...rest } = result;
  return (r) => {
    r.status = "completed";
    r.result = rest;
    delete r.message;
  };
}

function asked(pending: Record<string, InputRequest>): (r: TaskRecord) => void {
  const asks = { ...pending };
  return (r) => {
    r.status = "input_required";
    r.asks = asks;
    r.message = "Waiting for input from the client";
  };
}

/** What a task says when the store would not keep its outcome (the store's own error goes to `onError`). */
const OUTCOME_NOT_STORED =
  "The task's result could not be stored (the session store refused it, e.g. as too large); it was not run again";

/**
 * Writes a run's outcome if the run still holds the task (never over a cancel), and announces it.
 * An outcome the store refuses for good (an item over DynamoDB's 400 KB, a value over a Durable
 * Object's limit) fails the task at once, so its tool is not run again and again until `maxRuns`;
 * a store outage (`StoreUnavailableError`) is left to a later run, after the lease runs out.
 */
async function settle(
  rt: Runtime,
  records: TaskRecords,
  me: string,
  id: string,
  outcome: (r: TaskRecord) => void,
): Promise<void> {
  const write = (apply: (r: TaskRecord) => void) =>
    records.change(id, (r) => {
      if (r.lease?.by !== me || TERMINAL.has(r.status)) return undefined;
      apply(r);
      delete r.lease;
      return r;
    });
  let written: TaskRecord | undefined;
  try {
    written = await write(outcome);
  } catch (error) {
    if (isInstance(error, StoreUnavailableError)) throw error;
    rt.report(error, `task ${id} outcome`);
    written = await write((r) => {
      r.status = "failed";
      r.message = OUTCOME_NOT_STORED;
      r.error = { code: ErrorCode.InternalError, message: OUTCOME_NOT_STORED };
      delete r.result;
      delete r.asks;
    });
  }
  if (written !== undefined) await announce(rt, written);
}

/** Tells listeners (`subscriptions/listen`, legacy streams, blocked `tasks/result`) that a task changed. */
export async function announce(rt: Runtime, record: TaskRecord): Promise<void> {
  const report = (error: unknown) => rt.report(error, `task ${record.id} status`);
  await rt.stores.bus.publish(taskTopic(record.id), { type: "status", status: record.status }).catch(report);
  if (record.session !== undefined) {
    // The Task (no outcome: small) for the session's GET stream.
    const task = legacyTask(record) as JsonValue;
    await rt.stores.bus
      .publish(topics.taskStatus(record.session), { type: "task_status", task })
      .catch(report);
  }
}
