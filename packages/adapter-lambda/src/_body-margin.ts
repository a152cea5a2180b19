import { isTimerMs, timerRange } from "@portico/host";

/** Default of `bodyMarginMs`. */
const DEFAULT_BODY_MARGIN_MS = 500;

/**
 * `bodyMarginMs` checked when a handler is made: a number of ms from 0 to 2^31−1. It is taken off
 * the invocation's deadline, and the result is waited for with a timer; a margin out of range
 * (negative beyond the deadline, not a number) would make that timer fire at once, answering 504.
 */
export function resolveBodyMargin(value: number | undefined): number {
  if (value === undefined) return DEFAULT_BODY_MARGIN_MS;
  if (!isTimerMs(value, 0))
    throw new RangeError(`bodyMarginMs must be ${timerRange(0)}, got ${String(value)}`);
  return value;
}
