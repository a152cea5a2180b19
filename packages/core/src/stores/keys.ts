/**
 * Structured store keys and topics: what a {@link SessionStore} record or a {@link Bus} topic is
 * about, with the session it belongs to apart from its kind, so a store can place everything of one
 * session together (one Durable Object, one partition) without parsing names.
 */
import type { StoreKey } from "./types.ts";

const PREFIX = "portico:";

/** `:` and `%` inside a part are escaped, so the parts can always be told apart. */
const escapePart = (part: string): string =>
  /[:%]/.test(part) ? part.replace(/%/g, "%25").replace(/:/g, "%3A") : part;

/**
 * The canonical text of a key or topic: `portico:<kind>[:<session>][:<id>]`, with `:` and `%`
 * escaped in the kind and the session, and `%` standing for the session of an id without one
 * (`portico:<kind>:%:<id>`). Two keys have the same text only when their kind, session and id are
 * the same. Stores that need a string (a Redis key, a DynamoDB partition key, a Map key) use this
 * and nothing else, so every store names the same thing the same way; it never needs parsing back:
 * read `key.session`. The core's own keys read `portico:session:<id>`, `portico:reply:<id>:<n>`, …
 */
export function storeKeyText(key: StoreKey): string {
  let text = PREFIX + escapePart(key.kind);
  if (key.session !== undefined) text += `:${escapePart(key.session)}`;
  else if (key.id !== undefined) text += ":%";
  if (key.id !== undefined) text += `:${key.id}`;
  return text;
}

/** The keys and topics the core itself uses. */
export const keys = {
  /** A legacy session's record. */
  session: (session: string): StoreKey => ({ kind: "session", session }),
  /** A client's reply to server→client request `id` (JSON text of the JSON-RPC id). */
  reply: (session: string, id: string | number): StoreKey => ({
    kind: "reply",
    session,
    id: JSON.stringify(id),
  }),
  /** The owner lease of a streamed legacy call (`legacy/_lease.ts`). */
  lease: (session: string, streamId: string): StoreKey => ({ kind: "lease", session, id: streamId }),
  /** Server-wide: the legacy sessions one caller holds (`legacy/_callers.ts`). */
  callerSessions: (caller: string): StoreKey => ({ kind: "caller-sessions", id: caller }),
  /** Server-wide: one shard of the count of open legacy sessions (`legacy/_census.ts`). */
  sessionCensus: (shard: number): StoreKey => ({ kind: "session-census", id: String(shard) }),
  /** Server-wide: a task's record (`tasks/`). */
  task: (id: string): StoreKey => ({ kind: "task", id }),
  /** Server-wide: the tasks one caller made (2025-11-25 `tasks/list`). */
  callerTasks: (owner: string | null): StoreKey => ({ kind: "caller-tasks", id: owner ?? "anonymous" }),
  /**
   * Server-wide: the MRTR `requestState` nonces one caller's retries used, until they expire
   * (single use, and `maxRequestStatesPerCaller`; `modern/_mrtr.ts`).
   */
  callerRequestStates: (caller: string | null): StoreKey => ({
    kind: "caller-request-states",
    id: caller ?? "anonymous",
  }),
};

/** A task's changes: `{ type: "status" }` when it moved, `{ type: "cancel" }` to stop its run. */
export const taskTopic = (id: string): StoreKey => ({ kind: "task", id });

/** The topics the core publishes and subscribes to. */
export const topics = {
  /** Server-wide: list changes and resource updates, for every listener on every instance. */
  broadcast: { kind: "broadcast" } as StoreKey,
  /** A session's lifecycle (`{ type: "closed" }` on DELETE). */
  session: (session: string): StoreKey => ({ kind: "session", session }),
  /** New events on one of a session's streams (wakes resumed streams on other instances). */
  stream: (session: string, streamId: string): StoreKey => ({ kind: "stream", session, id: streamId }),
  /** The client replied to server→client request `id`. */
  reply: (session: string, id: string | number): StoreKey => ({
    kind: "reply",
    session,
    id: JSON.stringify(id),
  }),
  /** A task of the session changed status (2025-11-25 `notifications/tasks/status`). */
  taskStatus: (session: string): StoreKey => ({ kind: "task-status", session }),
  /** The client cancelled its request `id`. */
  cancel: (session: string, id: string | number): StoreKey => ({
    kind: "cancel",
    session,
    id: JSON.stringify(id),
  }),
};
