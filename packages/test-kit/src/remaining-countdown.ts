import { expect } from "vitest";

/**
 * The `remaining` counts of the takes a full bucket of `burst` admitted, taken concurrently: sorted,
 * the i-th is i (each take left one fewer: burst − 1 … 0), or i − 1 for a take whose clock read a
 * little behind the bucket's first take (it sees a hair less room and reports one fewer, never
 * more). The largest is always burst − 1: the first take into a full bucket timed by its own clock.
 */
export function expectRemainingCountdown(remaining: readonly number[], burst = 10): void {
  const sorted = [...remaining].sort((a, b) => a - b);
  expect(sorted).toHaveLength(burst);
  expect(sorted.at(-1)).toBe(burst - 1);
  sorted.forEach((value, i) => {
    expect([i - 1, i], `remaining counts ${JSON.stringify(sorted)}`).toContain(value);
  });
}
