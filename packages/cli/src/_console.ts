import { Console } from "node:console";

/**
 * Points the global console at stderr, so that a module's `console.log` (at import time or in a
 * tool) cannot mix with what a command prints on stdout: JSON-RPC for `stdio`, the result for
 * `call`. Returns the function that puts the console back.
 */
export function consoleToStderr(): () => void {
  const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr }) as unknown as Record<
    string,
    unknown
  >;
  const global = console as unknown as Record<string, unknown>;
  const saved: Record<string, unknown> = {};
  for (const key of Object.keys(toStderr)) {
    if (typeof toStderr[key] !== "function" || !(key in global)) continue;
    saved[key] = global[key];
    global[key] = toStderr[key];
  }
  return () => Object.assign(global, saved);
}
