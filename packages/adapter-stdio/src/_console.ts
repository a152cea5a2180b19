/**
 * While a server speaks MCP on the process's stdout, a stray `console.log` in a tool — or a library
 * writing to `process.stdout` itself, such as a JSON log sink — would corrupt the protocol stream.
 * This sends everything the global console prints, and every `process.stdout.write`, to stderr
 * instead, and puts both back afterwards. The protocol's own writer keeps stdout's real `write`
 * (see `LineWriter`, made before this runs).
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
  const stdout = process.stdout as unknown as Methods;
  const ownWrite = Object.getOwnPropertyDescriptor(stdout, "write");
  const toStderrWrite = (...args: unknown[]) =>
    (process.stderr.write as (...a: unknown[]) => boolean).apply(process.stderr, args);
  stdout.write = toStderrWrite;
  return () => {
    for (const [key, method] of Object.entries(saved)) global[key] = method;
    if (ownWrite === undefined) delete stdout.write;
    else Object.defineProperty(stdout, "write", ownWrite);
  };
}
