/**
 * Timers and their ceiling. A JavaScript timer cannot wait longer than 2^31−1 ms (about 24.8 days):
 * `setTimeout` and `setInterval` given more (or `Infinity`, or `NaN`) fire after 1 ms instead in
 * Node and Bun, so a duration option past it turns "wait this long" into "at once". Every duration
 * option that reaches a timer is checked against it when it is given, and a deadline farther away
 * than that arms no timer.
 */

/** The longest delay a timer keeps: 2^31−1 ms, about 24.8 days. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Whether `value` is a number of milliseconds from `min` to {@link MAX_TIMER_MS} (never NaN). */
export function isTimerMs(value: unknown, min: number): value is number {
  return typeof value === "number" && value >= min && value <= MAX_TIMER_MS;
}

/** The range of a timer duration, as error messages state it. */
export function timerRange(min: number): string {
  return `a finite number of ms from ${min} to ${MAX_TIMER_MS} (about 24.8 days)`;
}

/** Throws a `RangeError` naming `name` (as the caller gave it) unless `value` is in that range. */
export function checkTimerMs(name: string, value: unknown, min: number): void {
  if (!isTimerMs(value, min))
    throw new RangeError(`${name} must be ${timerRange(min)}, got ${String(value)}`);
}

/**
 * A timer calling `fire` at `deadline` (epoch ms), or none when the deadline lies farther ahead than
 * a timer can wait (a stand-in context, a long dev timeout): armed anyway, it would fire at once,
 * while not arming it only gives up a wait that cannot end before the process does.
 */
export function timerUntil(deadline: number, fire: () => void): ReturnType<typeof setTimeout> | undefined {
  const delay = Math.max(0, deadline - Date.now());
  return delay <= MAX_TIMER_MS ? setTimeout(fire, delay) : undefined;
}

/** `by` (epoch ms) when a timer can wait until then, else `undefined` (no bound; see {@link timerUntil}). */
export function timerDeadline(by: number | undefined): number | undefined {
  return by !== undefined && by - Date.now() <= MAX_TIMER_MS ? by : undefined;
}
