/**
 * Where log lines go. The default writes each as one JSON line through `console` (stdout for
 * debug/info, stderr for warn/error): what CloudWatch Logs, Workers Logs, Vercel's log drains and
 * Logs Insights queries read. The others hand lines to a logger you already run.
 */
import type { LogFields, LogSeverity } from "@portico/core";

/** One log line: severity, ISO time, message, then the fields. */
export interface LogRecord extends LogFields {
  level: LogSeverity;
  time: string;
  msg: string;
}

/** Receives every line that passes the level and redaction. It must not throw. */
export type LogSink = (record: LogRecord) => void;

/** The default: one JSON line per record through `console`. */
export function jsonConsole(): LogSink {
  return (record) => {
    const text = JSON.stringify(record);
    if (record.level === "error") console.error(text);
    else if (record.level === "warn") console.warn(text);
    else console.log(text);
  };
}

/** The fields of a record without the three a logger library writes itself. */
function fieldsOf(record: LogRecord): LogFields {
  const { level: _level, time: _time, msg: _msg, ...fields } = record;
  return fields;
}

/** What `pinoSink` needs of a pino logger: `logger.info(fields, message)` and its siblings. */
export type PinoLike = Record<LogSeverity, (fields: LogFields, message: string) => void>;

/** Lines through a pino logger (`pino()`): its own time, level and formatting apply. */
export function pinoSink(logger: PinoLike): LogSink {
  return (record) => logger[record.level](fieldsOf(record), record.msg);
}

/** What `powertoolsSink` needs of a Powertools `Logger`: `logger.info(message, fields)` and its siblings. */
export type PowertoolsLike = Record<LogSeverity, (message: string, fields: LogFields) => void>;

/**
 * Lines through an AWS Lambda Powertools `Logger` (`new Logger({ serviceName })`): its service,
 * cold-start and Lambda context keys join Portico's fields.
 */
export function powertoolsSink(logger: PowertoolsLike): LogSink {
  return (record) => logger[record.level](record.msg, fieldsOf(record));
}
