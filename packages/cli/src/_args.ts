import { parseArgs } from "node:util";
import { usageError } from "./_errors.ts";

type OptionSpec = { type: "string" | "boolean"; multiple?: boolean; short?: string };

/** Parsed flags of one command: values by name, the positionals in order. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/**
 * Parses one command's arguments strictly: an unknown flag, a flag missing its value or a boolean
 * given a value is a usage error (one line, the usage, exit 2). `--help`/`-h` is always accepted.
 */
export function parseCommand(args: string[], options: Record<string, OptionSpec>, usage: string): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed["values"], positionals };
  } catch (error) {
    throw usageError(describeParseError(error), usage);
  }
}

/** node:util's parse errors, shortened to what the user typed wrong. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1];
    return `unknown option ${flag ?? message}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return message.split(/\.\s/)[0] ?? message;
  return message.split("\n")[0] ?? message;
}

/** A `--port` value: an integer 0–65535 (0 picks a free port). */
export function parsePort(value: string | undefined, fallback: number, usage: string): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port > 65535)
    throw usageError(`--port ${JSON.stringify(value)} is not a port: give an integer from 0 to 65535`, usage);
  return port;
}
