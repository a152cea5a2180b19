/**
 * What the guards decided about one call, kept on the call (`call.state`) so that the audit trail
 * — usually the outermost middleware — can record it after the call.
 */
import type { McpCall } from "@portico/core";

export interface GuardFacts {
  /** The call's idempotency key (as the tool or the client gave it). */
  idempotencyKey?: string;
  /** The result was a stored one: the key had already run. */
  replayed?: boolean;
  /** What became of the approval the call needed. */
  approval?: "approved" | "declined" | "cancelled" | "unavailable";
  /** The rule that refused the call, as `limit/windowMs`. */
  rateLimited?: string;
}

const FACTS = "portico/guard";

/** The call's guard facts (made on first use). */
export function factsOf(call: McpCall): GuardFacts {
  let facts = call.state[FACTS] as GuardFacts | undefined;
  if (facts === undefined) {
    facts = {};
    call.state[FACTS] = facts;
  }
  return facts;
}
