/**
 * Runs a call through middleware to its method. With no middleware the method is called directly:
 * no chain, no closure, no extra promise.
 */
import type { McpCall, McpResult, Middleware } from "../definition/method.ts";
import { PorticoError } from "../errors.ts";
import { isResultObject } from "../jsonrpc/messages.ts";

type Last = (call: McpCall) => McpResult | Promise<McpResult>;

/**
 * `last(call)` wrapped by `chain` (the first element outermost). What the chain gives back must be
 * a result object: anything else (`undefined` from a middleware that forgot to return, a number, a
 * string, an array) fails the call with an internal error instead of going out as the answer.
 */
export function runChain(
  chain: readonly Middleware[],
  call: McpCall,
  last: Last,
): McpResult | Promise<McpResult> {
  if (chain.length === 0) return last(call);
  return through(chain, call, last);
}

async function through(chain: readonly Middleware[], call: McpCall, last: Last): Promise<McpResult> {
  let reached = -1;
  const step = (index: number): Promise<McpResult> => {
    if (index <= reached) return twice(call);
    reached = index;
    const middleware = chain[index];
    try {
      return Promise.resolve(middleware === undefined ? last(call) : middleware(call, () => step(index + 1)));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const result: unknown = await step(0);
  if (isResultObject(result)) return result;
  throw new PorticoError(
    "invalid_result",
    `${call.method}: the middleware returned ${kindOf(result)} where a result object was expected`,
  );
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return value === undefined ? "undefined" : `a ${typeof value}`;
}

/**
 * A second `next()`: a misuse of the middleware, reported. The rejection is marked handled, so a
 * middleware that drops the promise does not crash the process; one that awaits it sees the error.
 */
function twice(call: McpCall): Promise<never> {
  const error = new PorticoError("next_twice", `${call.method}: a middleware called next() twice`);
  call.report(error, call.method);
  const rejected = Promise.reject(error);
  rejected.catch(() => {});
  return rejected;
}

/**
 * `config` without the middleware of its `use` that is switched off (`enabled: false`), as
 * `server.use` does. A config that is not an object, or a `use` that is not an array of middleware
 * functions, is refused at registration (`what`: the definition, for the message).
 */
export function enabledUse<C extends { use?: Middleware[] }>(config: C, what: string): C {
  if (typeof config !== "object" || config === null) {
    throw new PorticoError("invalid_config", `The config of ${what} must be an object (give {} for none)`);
  }
  const use = config.use as unknown;
  if (use === undefined) return config;
  if (!Array.isArray(use) || !use.every((m) => typeof m === "function")) {
    throw new PorticoError(
      "invalid_middleware",
      `The use of ${what} must be an array of middleware functions`,
    );
  }
  if (use.every((m: Middleware) => m.enabled !== false)) return config;
  return { ...config, use: use.filter((m: Middleware) => m.enabled !== false) };
}
