/**
 * While a server speaks MCP on the process's stdout, a stray `console.log` in a tool would corrupt
 * the protocol stream. This sends everything the global console prints to stderr instead, and puts
 * the console back afterwards.
 */
import { Console } from "node:console";

type Methods = Record<string, unknown>;

/** Points every method of the global console at stderr; returns the function that restores them. */
export function consoleToStderr(): () => void {
  const global = console as unknown as Methods;
  const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr }) as unknown as Methods;
  const saved: Methods = {};
  for (const key of Object.keys(toStderr)) {
    const method = toStderr[key];
    if (typeof method !== "function" || !(key in global)) continue;
    saved[key] = global[key];
    global[key] = method;
  }
  return () => {
    for (const [key, method] of Object.entries(saved)) global[key] = method;
  };
}
