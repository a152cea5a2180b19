/** Log levels: the severities of `Logger`, and `silent` to write nothing. */
import type { LogSeverity } from "@portico/core";

export type LogLevelOption = LogSeverity | "silent";

const RANK: Record<LogLevelOption, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Other names for the levels, as environments spell them (Lambda's `TRACE` and `FATAL`, `warning`). */
const ALIASES: Readonly<Record<string, LogLevelOption>> = {
  trace: "debug",
  warning: "warn",
  fatal: "error",
  critical: "error",
};

const NAMES = Object.keys(RANK).join(", ");

/** Whether a line of `severity` is written at the configured `level`. */
export function enabled(level: LogLevelOption, severity: LogSeverity): boolean {
  return RANK[severity] >= RANK[level];
}

/** `value` as a level, or a clear error naming the accepted ones. */
export function checkLevel(value: unknown): LogLevelOption {
  if (typeof value === "string" && Object.hasOwn(RANK, value)) return value as LogLevelOption;
  throw new TypeError(`level must be one of ${NAMES}; got ${JSON.stringify(value)}`);
}

/**
 * A level written as configuration spells it — an environment variable, a Worker's binding: any
 * case, spaces around it, `trace`/`fatal`/`warning`/`critical` for their nearest level. `undefined`
 * for an unset or empty value (so `observe()` takes its default); a `TypeError` naming the accepted
 * values for anything else.
 *
 * ```ts
 * observe({ level: parseLevel(env.LOG_LEVEL) }) // a Worker's binding
 * ```
 */
export function parseLevel(value: string | undefined): LogLevelOption | undefined {
  const name = value?.trim().toLowerCase();
  if (name === undefined || name === "") return undefined;
  if (Object.hasOwn(RANK, name)) return name as LogLevelOption;
  if (Object.hasOwn(ALIASES, name)) return ALIASES[name] as LogLevelOption;
  throw new TypeError(`a log level must be one of ${NAMES}; got ${JSON.stringify(value)}`);
}

/** What the environment asks for, when `observe()` is given no `level`. */
export interface EnvironmentLevel {
  level: LogLevelOption;
  /** Set when a variable held no level: its name and value (the level is then `info`). */
  ignored?: { name: string; value: string };
}

/**
 * The level from the process environment: `LOG_LEVEL`, else Lambda's `AWS_LAMBDA_LOG_LEVEL` (set
 * by its advanced logging controls), else `info`. A variable that holds no level is not an error
 * (it may be another tool's): it is named in `ignored`, and `info` is used.
 */
export function environmentLevel(
  env: Readonly<Record<string, string | undefined>> | undefined = processEnv(),
): EnvironmentLevel {
  for (const name of ["LOG_LEVEL", "AWS_LAMBDA_LOG_LEVEL"]) {
    const value = env?.[name];
    if (value === undefined || value.trim() === "") continue;
    try {
      return { level: parseLevel(value) as LogLevelOption };
    } catch {
      return { level: "info", ignored: { name, value } };
    }
  }
  return { level: "info" };
}

const processEnv = () =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
