import { MAX_TIMER_MS } from "@portico/host";

/** The longest `maxDuration` taken, in seconds: 2^31−1 ms, the longest a timer waits. */
const MAX_DURATION_S = MAX_TIMER_MS / 1000;

/**
 * `maxDuration` checked when a handler is made: a number of seconds above 0 and at most
 * 2147483.647. It becomes each request's `ctx.deadline`, which a Portico handler waits for with a
 * timer; a longer one would fire that timer at once and abort every tool call as it starts.
 */
export function resolveMaxDuration(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!(typeof value === "number" && value > 0 && value <= MAX_DURATION_S)) {
    throw new RangeError(
      `maxDuration must be a finite number of seconds above 0 and at most ${MAX_DURATION_S} (2^31−1 ms, about 24.8 days), got ${String(value)}`,
    );
  }
  return value;
}
