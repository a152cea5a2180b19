/**
 * `audit`: one record per side-effect tool call — who called, which tool, a digest of the
 * arguments (never the arguments themselves), the outcome, and what the guards decided (idempotency
 * key and replay, approval, rate limit) — to a sink. Default sink: the request's structured log
 * (`call.logger`, which `@portico/observe` routes), one `info` line with `audit: true`.
 */
import type { McpCall, McpResult, Middleware } from "@portico/core";
import { McpError, PorticoError } from "@portico/core";
import { DEFAULT_STORE_TIMEOUT_MS, storeTimeout } from "./deadline.ts";
import { digestOf } from "./digest.ts";
import { factsOf } from "./facts.ts";
import { argumentsOf, covers, type ToolSelector, toolOf } from "./tools.ts";

/** One audited call. */
export interface AuditRecord {
  /** When the call started (ISO 8601). */
  at: string;
  tool: string;
  /** The caller as authenticated (`subject`, `clientId`, `issuer` where known), else `null` (anonymous). */
  principal: { subject?: string; clientId?: string; issuer?: string } | null;
  clientAddress?: string;
  sessionId?: string;
  jsonrpcId: string | number;
  hostRequestId?: string;
  era: "modern" | "legacy";
  /** `sha256:` and the base64url SHA-256 of the arguments' canonical JSON. */
  argumentsDigest: string;
  /**
   * `ok`; `tool_error` (an `isError` result: refusals by the guards included); `input_required`
   * (the call asks first and will come again); `error` (a JSON-RPC error: `errorCode`); `crashed`.
   */
  outcome: "ok" | "tool_error" | "input_required" | "error" | "crashed";
  errorCode?: number;
  idempotencyKey?: string;
  /** The result came from an earlier call with the same idempotency key. */
  replayed?: boolean;
  approval?: "approved" | "declined" | "cancelled" | "unavailable";
  /** The rate-limit rule (`limit/windowMs`) that refused the call. */
  rateLimited?: string;
  durationMs: number;
}

/**
 * Where audit records go. A sink that throws or rejects is reported to `onError`, never to the
 * client. The answer waits for the record, up to the handler's `storeTimeoutMs` (10 s when it has
 * none): a sink that has not settled by then is reported to `onError` and the call is answered.
 */
export type AuditSink = (record: AuditRecord, call: McpCall) => void | Promise<void>;

/** Options for {@link audit}. */
export interface AuditOptions {
  /** Default: `call.logger.info("audit", { audit: true, ...record })`. */
  sink?: AuditSink;
  /**
   * Which tool calls are side effects. Default (with `server.use`): tools annotated
   * `readOnlyHint: false` or `destructiveHint: true`, and those `tools` names; `"all"`: every tool.
   * In a tool's own `use`, its calls are always audited.
   */
  tools?: ToolSelector | "all";
}

/** Records every side-effect tool call it sees (put it first, so it sees what the other guards decided). */
export function audit(options: AuditOptions = {}): Middleware {
  const sink = options.sink ?? logSink;
  return async (call, next) => {
    if (
      call.method !== "tools/call" ||
      call.target === undefined ||
      call.inTask ||
      !sideEffect(call, options)
    ) {
      return next();
    }
    const started = Date.now();
    const digest = digestOf(argumentsOf(call));
    let outcome: AuditRecord["outcome"] = "crashed";
    let errorCode: number | undefined;
    try {
      const result = await next();
      outcome = outcomeOf(result);
      return result;
    } catch (error) {
      if (error instanceof McpError) {
        outcome = "error";
        errorCode = error.code;
      } else if (isInputSignal(error)) outcome = "input_required";
      throw error;
    } finally {
      const record = await recordOf(call, started, await digest, outcome, errorCode);
      let pending: void | Promise<void> | undefined;
      try {
        pending = sink(record, call);
      } catch (error) {
        call.report(error, "audit sink");
      }
      if (pending !== undefined) await recorded(pending, call);
    }
  };
}

/**
 * Waits for an async sink, up to the handler's store deadline (else 10 s): its failure, or its not
 * settling in time, goes to `onError`; either way the call is then answered.
 */
function recorded(pending: PromiseLike<void>, call: McpCall): Promise<void> {
  const wanted = storeTimeout(call);
  const ms = wanted > 0 ? wanted : DEFAULT_STORE_TIMEOUT_MS;
  return new Promise<void>((resolve) => {
    let waiting = true;
    const timer = setTimeout(() => {
      waiting = false;
      call.report(
        new PorticoError(
          "audit_sink_timeout",
          `audit sink did not settle within ${ms} ms; the call was answered without waiting for its record`,
        ),
        "audit sink",
      );
      resolve();
    }, ms);
    (timer as { unref?: () => void }).unref?.();
    Promise.resolve(pending).then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        // Once the call was answered without it, a late failure has already been reported as the timeout.
        if (waiting) call.report(error, "audit sink");
        resolve();
      },
    );
  });
}

function sideEffect(call: McpCall, options: AuditOptions): boolean {
  if (options.tools === "all") return true;
  const hints = toolOf(call)?.config?.annotations;
  if (hints?.readOnlyHint === false || hints?.destructiveHint === true) return true;
  return options.tools !== undefined && covers(options.tools, call.target as string);
}

function outcomeOf(result: McpResult): AuditRecord["outcome"] {
  if (result.resultType === "input_required") return "input_required";
  return result.isError === true ? "tool_error" : "ok";
}

/** The core's input-required signal (the modern era's MRTR round), told apart by name: it is not exported. */
function isInputSignal(error: unknown): boolean {
  return error instanceof Error && error.name === "InputRequiredSignal";
}

async function recordOf(
  call: McpCall,
  started: number,
  digest: string,
  outcome: AuditRecord["outcome"],
  errorCode: number | undefined,
): Promise<AuditRecord> {
  const auth = call.auth;
  const record: AuditRecord = {
    at: new Date(started).toISOString(),
    tool: call.target as string,
    principal:
      auth === undefined || (auth.subject === undefined && auth.clientId === undefined)
        ? null
        : {
            ...(auth.subject === undefined ? {} : { subject: auth.subject }),
            ...(auth.clientId === undefined ? {} : { clientId: auth.clientId }),
            ...(auth.issuer === undefined ? {} : { issuer: auth.issuer }),
          },
    jsonrpcId: call.requestId,
    era: call.era,
    argumentsDigest: `sha256:${digest}`,
    outcome,
    durationMs: Date.now() - started,
  };
  if (call.clientAddress !== undefined) record.clientAddress = call.clientAddress;
  if (call.sessionId !== undefined) record.sessionId = call.sessionId;
  if (call.hostRequestId !== undefined) record.hostRequestId = call.hostRequestId;
  if (errorCode !== undefined) record.errorCode = errorCode;
  Object.assign(record, factsOf(call));
  return record;
}

function logSink(record: AuditRecord, call: McpCall): void {
  call.logger.info("audit", { audit: true, ...record });
}
