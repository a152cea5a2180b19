/**
 * Runs a call through middleware to its method. With no middleware the method is called directly:
 * no chain, no closure, no extra promise.
 */
import type { McpCall, McpResult, Middleware } from "../definition/method.ts";
import { PorticoError } from "../errors.ts";

type Last = (call: McpCall) => McpResult | Promise<McpResult>;

/** `last(call)` wrapped by `chain` (the first element outermost). */
export function runChain(
  chain: readonly Middleware[],
  call: McpCall,
  last: Last,
): McpResult | Promise<McpResult> {
  if (chain.length === 0) return last(call);
  let reached = -1;
  const step = (index: number): Promise<McpResult> => {
    if (index <= reached) return Promise.reject(new PorticoError("next_twice", "next() was called twice"));
    reached = index;
    const middleware = chain[index];
    try {
      return Promise.resolve(middleware === undefined ? last(call) : middleware(call, () => step(index + 1)));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return step(0);
}

/** `config` without the middleware of its `use` that is switched off (`enabled: false`), as `server.use` does. */
export function enabledUse<C extends { use?: Middleware[] }>(config: C): C {
  const use = config.use;
  if (use === undefined || use.every((m) => m.enabled !== false)) return config;
  return { ...config, use: use.filter((m) => m.enabled !== false) };
}
