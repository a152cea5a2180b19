/**
 * The default `ctx.logger`: one JSON line per call through `console` (info and above; debug lines
 * are dropped), carrying the call's correlation fields. `@portico/observe` replaces it with a
 * configurable one (level, sink, redaction, trace ids).
 */
import type { LogFields, Logger, LogSeverity } from "../definition/logger.ts";

/** An `Error` as JSON: `JSON.stringify` would write `{}`. */
function plain(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}

function write(level: LogSeverity, message: string, base: LogFields, fields: LogFields | undefined): void {
  const line: LogFields = { level, time: new Date().toISOString(), msg: message, ...base };
  if (fields !== undefined) for (const key of Object.keys(fields)) line[key] = plain(fields[key]);
  const text = JSON.stringify(line);
  if (level === "error") console.error(text);
  else if (level === "warn") console.warn(text);
  else console.log(text);
}

export function consoleLogger(base: LogFields): Logger {
  return {
    debug: () => {},
    info: (message, fields) => write("info", message, base, fields),
    warn: (message, fields) => write("warn", message, base, fields),
    error: (message, fields) => write("error", message, base, fields),
    child: (fields) => consoleLogger({ ...base, ...fields }),
  };
}
