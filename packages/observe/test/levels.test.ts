/**
 * The log level: `parseLevel` for configuration values, and `observe()`'s default from the process
 * environment (`LOG_LEVEL`, else Lambda's `AWS_LAMBDA_LOG_LEVEL`, else info).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type LogRecord, observe, parseLevel } from "../src/index.ts";

describe("parseLevel", () => {
  it("reads a level in any case, trimmed, with the usual other names", () => {
    expect(parseLevel("warn")).toBe("warn");
    expect(parseLevel(" DEBUG ")).toBe("debug");
    expect(parseLevel("Silent")).toBe("silent");
    expect(parseLevel("TRACE")).toBe("debug");
    expect(parseLevel("FATAL")).toBe("error");
    expect(parseLevel("warning")).toBe("warn");
    expect(parseLevel("critical")).toBe("error");
  });

  it("leaves an unset or empty value to the default, and refuses anything else by name", () => {
    expect(parseLevel(undefined)).toBeUndefined();
    expect(parseLevel("  ")).toBeUndefined();
    expect(() => parseLevel("verbose")).toThrow(
      'a log level must be one of debug, info, warn, error, silent; got "verbose"',
    );
    // Names every object has are no levels either.
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(() => parseLevel(name), name).toThrow(TypeError);
      expect(() => observe({ level: name as never }), name).toThrow(TypeError);
    }
  });
});

describe("observe()'s level from the environment", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** Which of a debug, an info and a warn line the logger writes, and what it wrote first. */
  function written(options: Parameters<typeof observe>[0] = {}) {
    const records: LogRecord[] = [];
    const ops = observe({ ...options, sink: (record) => void records.push(record) });
    const startup = records.splice(0);
    ops.logger.debug("d");
    ops.logger.info("i");
    ops.logger.warn("w");
    return { levels: records.map((r) => r.level), startup };
  }

  it("takes LOG_LEVEL, then AWS_LAMBDA_LOG_LEVEL, else info; the option wins over both", () => {
    vi.stubEnv("LOG_LEVEL", "");
    vi.stubEnv("AWS_LAMBDA_LOG_LEVEL", "");
    expect(written().levels).toEqual(["info", "warn"]);
    vi.stubEnv("AWS_LAMBDA_LOG_LEVEL", "TRACE");
    expect(written().levels).toEqual(["debug", "info", "warn"]);
    vi.stubEnv("LOG_LEVEL", "warn");
    expect(written().levels).toEqual(["warn"]);
    expect(written({ level: "info" }).levels).toEqual(["info", "warn"]);
  });

  it("writes at info, with one warning, when LOG_LEVEL holds no level (another tool's value)", () => {
    vi.stubEnv("LOG_LEVEL", "verbose");
    const { levels, startup } = written();
    expect(levels).toEqual(["info", "warn"]);
    expect(startup).toHaveLength(1);
    expect(startup[0]).toMatchObject({
      level: "warn",
      msg: 'LOG_LEVEL "verbose" is not a log level (debug, info, warn, error, silent): writing at info',
      code: "invalid_log_level",
    });
  });

  it("still refuses a bad level given as the option", () => {
    expect(() => observe({ level: "verbose" as never })).toThrow(
      'level must be one of debug, info, warn, error, silent; got "verbose"',
    );
  });
});
