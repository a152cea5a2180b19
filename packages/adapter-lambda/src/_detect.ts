import { alb } from "./_alb.ts";
import type { EventKind, EventStrategy } from "./_strategy.ts";
import { v1 } from "./_v1.ts";
import { v2 } from "./_v2.ts";

const STRATEGIES: readonly EventStrategy[] = [v2 as EventStrategy, alb as EventStrategy, v1 as EventStrategy];

/** The strategy for an event, decided by its shape (payload version, `elb`, `httpMethod`); `undefined` if none fits. */
export function strategyFor(event: unknown): EventStrategy | undefined {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return undefined;
  return STRATEGIES.find((s) => s.matches(event as Record<string, unknown>));
}

export function strategyOf(kind: EventKind): EventStrategy {
  return STRATEGIES.find((s) => s.kind === kind) as EventStrategy;
}
