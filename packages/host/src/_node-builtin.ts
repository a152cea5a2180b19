/**
 * A Node built-in module, where the runtime has real ones (Node 20.16+, Bun), reached through
 * `process.getBuiltinModule` so that no `node:` import reaches other runtimes. `undefined` on Deno
 * and workerd (they emulate `process` and the `node:` modules on top of their own APIs, which are
 * then the better choice), on an older Node, and when the module fails to load.
 */
type Proc = { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } };

export function nodeBuiltin(id: string): unknown {
  const global = globalThis as { process?: Proc; Deno?: unknown; navigator?: { userAgent?: string } };
  const proc = global.process;
  const load = proc?.getBuiltinModule;
  if (typeof load !== "function" || proc?.versions?.node === undefined) return undefined;
  if (global.Deno !== undefined || global.navigator?.userAgent === "Cloudflare-Workers") return undefined;
  try {
    return load.call(proc, id) ?? undefined;
  } catch {
    return undefined;
  }
}
