/**
 * The reason a host gives when it aborts `ctx.signal` for a graceful shutdown: an `AbortError`
 * carrying the end of its grace period. Long-lived streams end at once (with a retry hint); a call
 * in progress keeps running until `deadline` minus the core's `deadlineMarginMs`, then its
 * `ctx.signal` fires, so it can still answer before the host closes the connection.
 */
export interface ShutdownReason extends DOMException {
  /** Epoch ms at which the host stops waiting for in-flight requests. */
  readonly deadline: number;
}

/** The abort reason for a graceful shutdown whose grace period ends at `deadline` (epoch ms). */
export function shutdownReason(deadline: number): ShutdownReason {
  return Object.assign(new DOMException("The server is shutting down", "AbortError"), { deadline });
}

/** The grace deadline a shutdown `reason` carries, if any. */
export function shutdownDeadline(reason: unknown): number | undefined {
  const deadline = (reason as { deadline?: unknown } | null | undefined)?.deadline;
  return typeof deadline === "number" && Number.isFinite(deadline) ? deadline : undefined;
}
