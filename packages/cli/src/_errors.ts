/**
 * A failure the user can fix: printed as one line (`portico: <message>`), no stack, and the
 * process exits with `exitCode` — 2 for a usage problem (bad flag, missing argument), 1 otherwise.
 */
export class CliError extends Error {
  readonly exitCode: number;
  /** The usage text printed after a usage problem, if any. */
  readonly usage: string | undefined;

  constructor(message: string, exitCode = 1, usage?: string) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.usage = usage;
  }
}

/** A usage problem: one line, then the command's usage, exit code 2. */
export function usageError(message: string, usage: string): CliError {
  return new CliError(message, 2, usage);
}

/** The message of anything thrown, on one line. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, " ").trim();
}
