/**
 * The longest delay a timer keeps: a signed 32-bit number of milliseconds (about 24.8 days).
 * Node, Workers and browsers fire a longer delay (or `Infinity`) at once, so a duration that is
 * armed as a timer must be checked against it, and a longer wait left unarmed.
 */
export const MAX_TIMER_MS = 2_147_483_647;
