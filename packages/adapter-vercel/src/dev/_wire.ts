/** The little protocol between {@link devStores} and `serveDevStores`: JSON calls, NDJSON subscriptions. */

export type StoreName = "sessions" | "events" | "bus";

/** POST `<base>/call`. */
export interface CallBody {
  store: StoreName;
  op: string;
  args: unknown[];
}

/** POST `<base>/subscribe`; the answer is NDJSON: `{"ready":true}`, then one `{"message":…}` per delivery. */
export interface SubscribeBody {
  topic: string;
}

/** The operations each store answers, so nothing else on the object can be called remotely. */
export const OPERATIONS: Record<StoreName, readonly string[]> = {
  sessions: ["get", "create", "update", "delete"],
  events: ["append", "replay", "trim"],
  bus: ["publish"],
};
