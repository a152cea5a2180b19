/**
 * The redactor and the logger on awkward values: what `JSON.stringify` would write (an `Error`'s
 * cause, a `Date`, a BigInt), cycles that must neither hang nor throw, and fields that throw when
 * read — a log call never throws into the request that makes it.
 */
import { describe, expect, it } from "vitest";
import { type LogRecord, observe, REDACTED, redactor } from "../src/index.ts";

const redact = redactor();

describe("the redactor", () => {
  it("marks a cycle instead of copying it to the depth limit (fan-out × depth would never end)", () => {
    const node: Record<string, unknown> = { name: "root" };
    for (let i = 0; i < 12; i++) node[`k${i}`] = node;
    const list: unknown[] = [];
    list.push(list, { back: list });
    const out = redact({ node, list }) as { node: Record<string, unknown>; list: unknown[] };
    expect(out.node.name).toBe("root");
    expect(out.node.k0).toBe("[circular]");
    expect(out.node.k11).toBe("[circular]");
    expect(out.list).toStrictEqual(["[circular]", { back: "[circular]" }]);
    // A shared (not cyclic) object is copied wherever it appears.
    const shared = { a: 1 };
    expect(redact({ x: shared, y: [shared] })).toStrictEqual({ x: { a: 1 }, y: [{ a: 1 }] });
  });

  it("keeps an Error's cause (redacted too), however the chain loops", () => {
    const inner = new Error("upstream said Bearer abc.def");
    const outer = new Error("fetch failed", { cause: inner });
    const looped = new Error("loop");
    (looped as { cause?: unknown }).cause = looped;
    const out = redact({ error: outer, looped, plain: new Error("x", { cause: { token: "t" } }) }) as Record<
      string,
      { cause?: unknown }
    >;
    expect(out.error?.cause).toMatchObject({
      name: "Error",
      message: `upstream said Bearer ${REDACTED}`,
    });
    expect(out.looped?.cause).toBe("[circular]");
    expect(out.plain?.cause).toStrictEqual({ token: REDACTED });
  });

  it("writes what JSON.stringify would: a Date as its ISO time, a BigInt as its digits", () => {
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const out = redact({ at, n: 12345678901234567890n, nested: { at } });
    expect(JSON.parse(JSON.stringify(out))).toStrictEqual({
      at: "2026-01-02T03:04:05.000Z",
      n: "12345678901234567890",
      nested: { at: "2026-01-02T03:04:05.000Z" },
    });
  });
});

describe("the redactor on flat lines (strings, numbers, booleans: every request line)", () => {
  it("redacts secret keys and credentials in text, copying the line rather than changing it", () => {
    const line = {
      method: "tools/call",
      token: "t0",
      note: "sent Bearer abc.def",
      n: 1,
      ok: true,
      none: undefined,
    };
    const out = redact(line);
    expect(out).toStrictEqual({
      method: "tools/call",
      token: REDACTED,
      note: `sent Bearer ${REDACTED}`,
      n: 1,
      ok: true,
      none: undefined,
    });
    expect(line.token).toBe("t0");
    expect(line.note).toBe("sent Bearer abc.def");
    // A secret key is redacted whatever its value's type.
    expect(redact({ password: 42, secret: false })).toStrictEqual({ password: REDACTED, secret: REDACTED });
  });

  it("gives back a line with nothing to redact as it is (no copy), and still cuts long text", () => {
    const line = { method: "tools/call", jsonrpcId: 7, coldStart: false };
    expect(redact(line)).toBe(line);
    const long = redact({ text: "x".repeat(5000) }) as { text: string };
    expect(long.text).toHaveLength(4097);
  });

  it("falls back to the full walk for nested values, BigInts and configured paths", () => {
    expect(redact({ a: "x", nested: { token: "t" } })).toStrictEqual({ a: "x", nested: { token: REDACTED } });
    expect(redact({ n: 5n })).toStrictEqual({ n: "5" });
    const withPath = redactor(["arguments.card", "ssn"]);
    expect(withPath({ ssn: "123", card: "kept" })).toStrictEqual({ ssn: REDACTED, card: "kept" });
  });

  it("marks a flat field that throws when read, like the walk does", () => {
    const line = { ok: "yes" };
    Object.defineProperty(line, "bad", {
      enumerable: true,
      get() {
        throw new Error("no");
      },
    });
    expect(redact(line)).toStrictEqual({ ok: "yes", bad: "[unreadable]" });
  });
});

describe("the logger", () => {
  it("never throws into the request: a field that throws when read is written as unreadable", () => {
    const lines: LogRecord[] = [];
    const { logger } = observe({ sink: (r) => lines.push(r) });
    const fields = {
      ok: 1,
      get boom(): never {
        throw new Error("getter");
      },
      bad: { toJSON: () => JSON.parse("{") },
    };
    expect(() => logger.info("with a bad field", fields)).not.toThrow();
    expect(() => logger.child(fields).info("child")).not.toThrow();
    expect(lines[0]).toMatchObject({
      msg: "with a bad field",
      ok: 1,
      boom: "[unreadable]",
      bad: "[unreadable]",
    });
    expect(lines[1]).toMatchObject({ msg: "child", ok: 1, boom: "[unreadable]" });
  });
});
