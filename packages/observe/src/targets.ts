/**
 * Which targets (tool and prompt names, resource URIs) become a metric dimension. A target is text
 * the client chose: a name it made up must not mint a metric series (CloudWatch bills each one, an
 * OpenTelemetry backend keeps each), so a target earns its dimension once a request for it ran
 * something of the server's — it was answered (a tool's own error result and `input_required`
 * included) or its handler crashed — and, for a tool or prompt, the server defines that name (a
 * middleware such as a rate limit may answer a made-up one); at most `max` distinct targets per
 * process hold one. An MCP error for a target that has not earned one (`Unknown tool`, `Resource
 * not found`, or invalid arguments before its first answer) is counted under its method and error
 * type alone. Only tools, prompts and resources have targets: `tasks/get`'s task id is none.
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

/**
 * The methods whose target is a dimension, and the registry a name must be in to earn one (`tools`,
 * `prompts`; resources by URI, as answered). Other methods that name something (`tasks/get`'s task
 * id) have no target dimension: ids are not names.
 */
const TARGETED: Readonly<Record<string, string | undefined>> = {
  "tools/call": "tools",
  "prompts/get": "prompts",
  "resources/read": undefined,
};

/** Whether the server defines `target` (a tool or prompt of that name): a guard's refusal of a made-up name is no proof. */
function defined(start: RequestStart, target: string): boolean {
  const kind = TARGETED[start.call.method];
  if (kind === undefined) return true;
  try {
    return start.call.definitions.registry(kind).has(target);
  } catch {
    return false;
  }
}

export function targetDimension(options: TargetOptions = {}): TargetDimension {
  const max = options.maxTargets ?? DEFAULT_MAX_TARGETS;
  if (!Number.isInteger(max) || max < 0) {
    throw new TypeError(`maxTargets must be a whole number ≥ 0, not ${String(max)}`);
  }
  const earned = new Set<string>();
  return (start, { ending }) => {
    const { call } = start;
    const target = call.target;
    if (target === undefined || max === 0 || !Object.hasOwn(TARGETED, call.method)) return undefined;
    if (earned.has(target)) return target;
    if (!ranSomething(ending) || earned.size >= max || !defined(start, target)) return undefined;
    earned.add(target);
    return target;
  };
}
