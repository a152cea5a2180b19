/**
 * Where log lines go. The default writes each as one JSON line on stdout (`jsonLines()`, batched
 * per event-loop turn; warn and error at once), or through `console` where there is no stdout
 * (Workers): what CloudWatch Logs, Workers Logs, Vercel's log drains and Logs Insights read. The
 * others hand lines to a logger you already run.
 */
import type { LogFields, LogSeverity } from "@portico/core";
import { type LineWriter, stdoutWriter } from "./writer.ts";

/**
 * One log line: severity, ISO time (`timestamp`, RFC 3339 in UTC: the key and form Lambda's JSON log
 * format reads, so its application log-level filter sees the line's own level), message, then the fields.
 */
export interface LogRecord extends LogFields {
  level: LogSeverity;
  timestamp: string;
  msg: string;
}

/** Receives every line that passes the level and redaction. One that throws, or an async one that rejects, is ignored. */
export type LogSink = (record: LogRecord) => void;

/**
 * One JSON line per record through `write` (default: stdout, batched — see `stdoutWriter`). Not
 * `console.log`: on Lambda that adds a timestamp and request id before the JSON (or wraps it), and
 * CloudWatch then no longer reads the line's fields.
 */
export function jsonLines(write: LineWriter | undefined = stdoutWriter()): LogSink {
  if (write === undefined) return jsonConsole();
  return (record) => write(JSON.stringify(record), record.level === "error" || record.level === "warn");
}

/** One JSON line per record through `console` (`console.error` for errors, `console.warn` for warnings). */
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
  const { level: _level, timestamp: _timestamp, msg: _msg, ...fields } = record;
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
