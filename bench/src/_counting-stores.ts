/** Stores that count calls of every store method (and of subscriptions' `unsubscribe`), for bench scripts. */
import type { Stores } from "@portico/core";

/** Counts calls of every store method (and of subscriptions' `unsubscribe`). */
export function countingStores(stores: Stores, counts: Map<string, number>): Stores {
  const count = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  const wrap = <T extends object>(prefix: string, target: T): T =>
    new Proxy(target, {
      get(t, property) {
        const value = Reflect.get(t, property, t) as unknown;
        if (typeof value !== "function") return value;
        const name = `${prefix}.${String(property)}`;
        return (...args: unknown[]) => {
          count(name);
          const result = (value as (...a: unknown[]) => unknown).apply(t, args);
          if (name !== "bus.subscribe") return result;
          return (result as Promise<{ unsubscribe(): Promise<void> }>).then((subscription) => ({
            unsubscribe: () => {
              count("bus.unsubscribe");
              return subscription.unsubscribe();
            },
          }));
        };
      },
    });
  const counted: Stores = {
    sessions: wrap("sessions", stores.sessions),
    events: wrap("events", stores.events),
    bus: wrap("bus", stores.bus),
  };
  if (stores.limits !== undefined) counted.limits = wrap("limits", stores.limits);
  return counted;
}
