/** The structured `Logger` of `@portico/observe`: a level, a sink, redaction, and fields that children add to. */
import type { LogFields, Logger, LogSeverity } from "@portico/core";
import { isoTime } from "./clock.ts";
import { enabled, type LogLevelOption } from "./levels.ts";
import { quietly } from "./quietly.ts";
import { type Redactor, redactText } from "./redact.ts";
import type { LogRecord, LogSink } from "./sinks.ts";

export interface LoggerConfig {
  readonly level: LogLevelOption;
  readonly sink: LogSink;
  readonly redact: Redactor;
}

export class StructuredLogger implements Logger {
  readonly #config: LoggerConfig;
  readonly #fields: LogFields;

  /** `fields` are redacted once here, not on every line. */
  constructor(config: LoggerConfig, fields: LogFields = {}, redacted = false) {
    this.#config = config;
    this.#fields = redacted ? fields : config.redact(fields);
  }

  /** Whether lines of `severity` are written (skip building costly fields otherwise). */
  enabled(severity: LogSeverity): boolean {
    return enabled(this.#config.level, severity);
  }

  debug(message: string, fields?: LogFields): void {
    this.#write("debug", message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.#write("info", message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.#write("warn", message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.#write("error", message, fields);
  }

  child(fields: LogFields): StructuredLogger {
    return new StructuredLogger(this.#config, { ...this.#fields, ...this.#config.redact(fields) }, true);
  }

  #write(level: LogSeverity, message: string, fields: LogFields | undefined): void {
    if (!enabled(this.#config.level, level)) return;
    const own = fields === undefined ? undefined : this.#config.redact(fields);
    // The message is text like any field's: cut, and its credentials redacted.
    const record: Record<string, unknown> = {
      level,
      timestamp: isoTime(),
      msg: redactText(String(message)),
      ...this.#fields,
    };
    if (own !== undefined) {
      // A field cannot replace the line's own keys or its correlation fields (a tool logging its
      // arguments as they came): one named like them goes under `fields`.
      let shadowed: Record<string, unknown> | undefined;
      for (const key in own) {
        if (!Object.hasOwn(record, key)) record[key] = own[key];
        else {
          shadowed ??= {};
          shadowed[key] = own[key];
        }
      }
      if (shadowed !== undefined) record.fields = shadowed;
    }
    try {
      quietly(this.#config.sink(record as LogRecord));
    } catch {
      // A failing sink (one that throws, or an async one that rejects) must not fail the request it logs.
    }
  }
}
