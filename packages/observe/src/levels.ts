/** Log levels: the severities of `Logger`, and `silent` to write nothing. */
import type { LogSeverity } from "@portico/core";

export type LogLevelOption = LogSeverity | "silent";

const RANK: Record<LogLevelOption, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Whether a line of `severity` is written at the configured `level`. */
export function enabled(level: LogLevelOption, severity: LogSeverity): boolean {
  return RANK[severity] >= RANK[level];
}

/** `value` as a level, or a clear error naming the accepted ones. */
export function checkLevel(value: unknown): LogLevelOption {
  if (typeof value === "string" && value in RANK) return value as LogLevelOption;
  throw new TypeError(`level must be one of ${Object.keys(RANK).join(", ")}; got ${JSON.stringify(value)}`);
}
