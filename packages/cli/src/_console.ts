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

/** `process.stdout.write` sent to stderr: the real stdout, and how to put it back. */
export interface StdoutRedirection {
  /** Writes to the real stdout (the result of `call`). */
  write(text: string): void;
  /** Puts `process.stdout.write` back. */
  restore(): void;
}

/**
 * Points `process.stdout.write` at stderr, for the same reason as {@link consoleToStderr}: a
 * module (or a library it uses) writing to `process.stdout` itself, at import time or in a tool.
 * The command writes its own output with `write`.
 */
export function stdoutToStderr(): StdoutRedirection {
  const stdout = process.stdout as unknown as Record<string, unknown>;
  const realWrite = process.stdout.write.bind(process.stdout);
  const own = Object.getOwnPropertyDescriptor(stdout, "write");
  const toStderr = (...args: unknown[]) =>
    (process.stderr.write as (...a: unknown[]) => boolean).apply(process.stderr, args);
  stdout.write = toStderr;
  return {
    write: (text) => void realWrite(text),
    restore() {
      if (own === undefined) delete stdout.write;
      else Object.defineProperty(stdout, "write", own);
    },
  };
}
