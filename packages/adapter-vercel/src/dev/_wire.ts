/** The little protocol between {@link devStores} and `serveDevStores`: JSON calls, NDJSON subscriptions. */
import type { StoreKey } from "@portico/core";

export type StoreName = "sessions" | "events" | "bus" | "limits";

/** POST `<base>/call`. */
export interface CallBody {
  store: StoreName;
  op: string;
  args: unknown[];
}

/** POST `<base>/subscribe`; the answer is NDJSON: `{"ready":true}`, then one `{"message":…}` per delivery. */
export interface SubscribeBody {
  topic: StoreKey;
}

/** A structured store key or topic as it arrives in JSON. */
export function isStoreKey(value: unknown): value is StoreKey {
  if (typeof value !== "object" || value === null) return false;
  const { kind, session, id } = value as Record<string, unknown>;
  return (
    typeof kind === "string" &&
    (session === undefined || typeof session === "string") &&
    (id === undefined || typeof id === "string")
  );
}

/** The operations each store answers, so nothing else on the object can be called remotely. */
export const OPERATIONS: Record<StoreName, readonly string[]> = {
  sessions: ["get", "create", "update", "delete"],
  events: ["append", "replay", "trim"],
  bus: ["publish"],
  limits: ["take"],
};
