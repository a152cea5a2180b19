/** How one MCP request ended, as the request line says it. */
import type { LogFields, LogSeverity, McpResult } from "@portico/core";

export type Outcome = "ok" | "tool_error" | "input_required" | "cancelled" | "error";

export interface Ending {
  outcome: Outcome;
  severity: LogSeverity;
  /** `error: { kind, code?, message, stack? }` for thrown errors. */
  fields: LogFields;
}

/** What a thrown non-Error says: its text, or its kind when it has none (`Object.create(null)`). */
function textOf(thrown: unknown): string {
  try {
    return String(thrown);
  } catch {
    return Object.prototype.toString.call(thrown);
  }
}

/** A returned result: a tool's own error result, an MRTR `input_required`, or plain success. */
export function resultEnding(result: McpResult): Ending {
  if (result.resultType === "input_required")
    return { outcome: "input_required", severity: "info", fields: {} };
  if (result.isError === true) return { outcome: "tool_error", severity: "info", fields: {} };
  return { outcome: "ok", severity: "info", fields: {} };
}

/**
 * A thrown error: cancellation when the call was aborted (`call.aborted`: cancelled, deadline,
 * shutdown) or the error is an abort (`AbortError`, `TimeoutError`); an MCP error (a numeric JSON-RPC
 * `code`: the client's mistake, such as invalid params) at warn; anything else at error, with its
 * stack — in the log only (the client gets a bare internal error).
 */
export function errorEnding(error: unknown, aborted = false): Ending {
  const e = error instanceof Error ? error : new Error(textOf(error));
  // Modern era: a handler that needs client input stops by throwing this; the answer is input_required.
  if (e.name === "InputRequiredSignal") return { outcome: "input_required", severity: "info", fields: {} };
  if (aborted || e.name === "AbortError" || e.name === "TimeoutError") {
    return {
      outcome: "cancelled",
      severity: "info",
      fields: { error: { kind: e.name, message: e.message } },
    };
  }
  const code = (e as { code?: unknown }).code;
  if (typeof code === "number") {
    return {
      outcome: "error",
      severity: "warn",
      fields: { error: { kind: "mcp", code, message: e.message } },
    };
  }
  const details: LogFields = { kind: e.name || "Error", message: e.message };
  if (typeof code === "string") details.code = code;
  if (e.stack !== undefined) details.stack = e.stack;
  return { outcome: "error", severity: "error", fields: { error: details } };
}

/** The error's class: the JSON-RPC code (`-32602`), a crash's name, or `tool_error`/`cancelled`; `undefined` on success. */
export function errorType(ending: Ending): string | undefined {
  const { outcome, fields } = ending;
  if (outcome === "tool_error" || outcome === "cancelled") return outcome;
  if (outcome !== "error") return undefined;
  const error = fields.error as { kind?: unknown; code?: unknown } | undefined;
  if (typeof error?.code === "number") return String(error.code);
  return typeof error?.kind === "string" && error.kind !== "" ? error.kind : "_OTHER";
}
