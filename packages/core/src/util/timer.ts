/**
 * The longest delay a timer keeps (2^31−1 ms, about 24.8 days): `@portico/host`'s, which explains
 * why. A duration armed as a timer is checked against it, and a longer wait left unarmed.
 */
export { isTimerMs, MAX_TIMER_MS } from "@portico/host";
