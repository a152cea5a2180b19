import { describe, expect, it } from "vitest";
import { isoTime } from "../src/clock.ts";

describe("isoTime", () => {
  it("writes what toISOString writes, across milliseconds, seconds, days and years", () => {
    const starts = [
      0,
      Date.UTC(2026, 11, 31, 23, 59, 59, 990),
      Date.UTC(2024, 1, 29, 12, 0, 0, 0),
      Date.now(),
    ];
    for (const start of starts) {
      for (let ms = start; ms < start + 2_100; ms += 7) {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }
    }
  });

  it("goes back in time too (a clock set back), and handles the far future", () => {
    const late = Date.UTC(2030, 0, 1, 0, 0, 1, 5);
    expect(isoTime(late)).toBe(new Date(late).toISOString());
    const early = Date.UTC(2030, 0, 1, 0, 0, 0, 999);
    expect(isoTime(early)).toBe(new Date(early).toISOString());
    const far = Date.UTC(10_000, 0, 1, 0, 0, 0, 42);
    expect(isoTime(far)).toBe(new Date(far).toISOString());
  });

  it("defaults to now", () => {
    const before = Date.now();
    const parsed = Date.parse(isoTime());
    expect(parsed).toBeGreaterThanOrEqual(before);
    expect(parsed).toBeLessThanOrEqual(Date.now());
  });
});
