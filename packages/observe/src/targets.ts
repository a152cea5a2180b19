/**
 * Which targets (tool and prompt names, resource URIs) become a metric dimension. A target is text
 * the client chose: a name it made up must not mint a metric series (CloudWatch bills each one, an
 * OpenTelemetry backend keeps each), so a target earns its dimension once a request for it ran
 * something of the server's — it was answered (a tool's own error result and `input_required`
 * included) or its handler crashed — and at most `max` distinct targets per process hold one. An MCP
 * error for a target that has not earned one (`Unknown tool`, `Resource not found`, or invalid
 * arguments before its first answer) is counted under its method and error type alone.
 */
import type { RequestEnd, RequestStart } from "./instrument.ts";
import type { Ending } from "./outcome.ts";

/** How many distinct targets get their own dimension per process, by default. */
export const DEFAULT_MAX_TARGETS = 100;

export interface TargetOptions {
  /**
   * At most this many distinct targets (tool and prompt names, resource URIs) get their own
   * dimension per process; `0`: none (by method only). Default 100. A target counts only once a
   * request for it was answered, so names a client makes up never do.
   */
  maxTargets?: number;
}

/** The target dimension of a request that ended, or `undefined` (none, not earned, or over the cap). */
export type TargetDimension = (start: RequestStart, end: RequestEnd) => string | undefined;

/** Answered, or crashed (only a handler of the server's, not a made-up name, can): not an MCP error, not cancelled. */
function ranSomething({ outcome, fields }: Ending): boolean {
  if (outcome === "ok" || outcome === "tool_error" || outcome === "input_required") return true;
  return outcome === "error" && typeof (fields.error as { code?: unknown } | undefined)?.code !== "number";
}

export function targetDimension(options: TargetOptions = {}): TargetDimension {
  const max = options.maxTargets ?? DEFAULT_MAX_TARGETS;
  if (!Number.isInteger(max) || max < 0) {
    throw new TypeError(`maxTargets must be a whole number ≥ 0, not ${String(max)}`);
  }
  const earned = new Set<string>();
  return ({ call }, { ending }) => {
    const target = call.target;
    if (target === undefined || max === 0) return undefined;
    if (earned.has(target)) return target;
    if (!ranSomething(ending) || earned.size >= max) return undefined;
    earned.add(target);
    return target;
  };
}
