/**
 * `timeout`: a deadline per request that answers even when the handler never does. The core's
 * cancellation is cooperative (`ctx.signal`) and the host's deadline only aborts that signal, so a
 * handler whose promise never settles would hold its request (and, on Node, its connection)
 * forever. At the deadline this aborts the call's signal with a `TimeoutError` — cooperative
 * handlers stop — and answers JSON-RPC -32001 "Request timed out" without waiting for the handler.
 */
import { MAX_TIMER_MS, McpError, type McpResult, type Middleware } from "@portico/core";

/** Options for {@link timeout}. */
export interface TimeoutOptions {
  /** The deadline of every request it wraps, in milliseconds (a whole number, 1 to 2,147,483,647). */
  ms: number;
  /** Deadlines of their own for the tools named here (`tools/call`), in milliseconds like `ms`. */
  tools?: Record<string, number>;
  /** The MCP methods it applies to (e.g. `["tools/call"]`). Default: every request. */
  methods?: readonly string[];
}

/**
 * The JSON-RPC error code of a request that ran past its deadline (implementation-defined range; the
 * code MCP SDK clients use for their own request timeouts).
 */
export const REQUEST_TIMED_OUT = -32001;

/**
 * Answers every request it wraps by its deadline: what `next()` gives when it settles in time,
 * else an `McpError` -32001 "Request timed out" (`data: { timeoutMs }`), after aborting the call's
 * signal. A task's background run (`enableTasks`) is not wrapped: tasks are for long work. An
 * `input_required` round (2026-07-28) passes through as any rejection of `next()` does.
 */
export function timeout(options: TimeoutOptions): Middleware {
  const ms = checkedMs(options?.ms, "`ms`");
  const tools = toolDeadlines(options.tools);
  const methods = methodSet(options.methods);
  return (call, next) => {
    if (call.inTask || (methods !== undefined && !methods.has(call.method))) return next();
    const own =
      call.method === "tools/call" && call.target !== undefined ? tools.get(call.target) : undefined;
    const limit = own ?? ms;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        call.abort(new DOMException(`The request timed out after ${limit} ms`, "TimeoutError"));
        reject(new McpError(REQUEST_TIMED_OUT, "Request timed out", { timeoutMs: limit }));
      }, limit);
      // Never what keeps a Node process alive.
      (timer as { unref?: () => void }).unref?.();
      const done = (): void => clearTimeout(timer);
      // Both outcomes are handled here, so a settlement after the deadline is dropped, never left
      // as an unhandled rejection (the promise was already rejected; settling it again is a no-op).
      let pending: Promise<McpResult>;
      try {
        pending = next();
      } catch (error) {
        done();
        reject(error);
        return;
      }
      pending.then(
        (result) => {
          done();
          resolve(result);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });
  };
}

/** `value` as a deadline, or a TypeError / RangeError naming `what`. */
function checkedMs(value: unknown, what: string): number {
  if (typeof value !== "number")
    throw new TypeError(`timeout: ${what} must be a number of milliseconds (got ${typeof value})`);
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMER_MS)
    throw new RangeError(
      `timeout: ${what} must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS} (got ${value})`,
    );
  return value;
}

/** The per-tool deadlines, checked (a map: tool names are never read off an object's prototype). */
function toolDeadlines(given: unknown): ReadonlyMap<string, number> {
  if (given === undefined) return new Map();
  if (typeof given !== "object" || given === null || Array.isArray(given))
    throw new TypeError("timeout: `tools` must be an object of tool names to milliseconds");
  return new Map(
    Object.entries(given).map(([name, value]) => [
      name,
      checkedMs(value, `\`tools[${JSON.stringify(name)}]\``),
    ]),
  );
}

/** The methods covered, or `undefined` for every one. */
function methodSet(given: unknown): ReadonlySet<string> | undefined {
  if (given === undefined) return undefined;
  if (!Array.isArray(given) || !given.every((method) => typeof method === "string"))
    throw new TypeError("timeout: `methods` must be an array of method names");
  return new Set(given);
}
