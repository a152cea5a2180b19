/**
 * The default `ctx.logger`: one JSON line per call through `console` (info and above; debug lines
 * are dropped), carrying the call's correlation fields. `@portico/observe` replaces it with a
 * configurable one (level, sink, redaction, trace ids).
 */
import type { LogFields, Logger, LogSeverity } from "../definition/logger.ts";
import { isInstance } from "../util/is-instance.ts";

/** An `Error` as JSON: `JSON.stringify` would write `{}`. */
function plain(value: unknown): unknown {
  return isInstance(value, Error) ? { name: value.name, message: value.message, stack: value.stack } : value;
}

/** The line as JSON; fields JSON cannot write (a BigInt, a cycle) are left out and the line says so. */
function text(line: LogFields, level: LogSeverity, message: string, base: LogFields): string {
  try {
    return JSON.stringify(line);
  } catch {
    const fieldsError = "the fields could not be written as JSON";
    try {
      return JSON.stringify({ level, timestamp: line.timestamp, msg: message, ...base, fieldsError });
    } catch {
      return JSON.stringify({ level, timestamp: line.timestamp, msg: message, fieldsError });
    }
  }
}

/** Logging never throws into the handler that logs. */
function write(level: LogSeverity, message: string, base: LogFields, fields: LogFields | undefined): void {
  const line: LogFields = { level, timestamp: new Date().toISOString(), msg: message, ...base };
  if (fields !== undefined) {
    for (const key of Object.keys(fields)) {
      try {
        line[key] = plain(fields[key]);
      } catch {
        line[key] = "[unreadable]";
      }
    }
  }
  const json = text(line, level, message, base);
  if (level === "error") console.error(json);
  else if (level === "warn") console.warn(json);
  else console.log(json);
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
