/**
 * Which session object a key, an event log or a topic lives in. Keys and topics arrive structured
 * (`{ kind, session?, id? }`), so placement reads `session` and never parses a name: everything of
 * one session — its record, its reply mailbox, its event log, the topics of its streams, replies
 * and cancellations, whatever their kind — lands in the object named after that session id. A key
 * or topic without a session (the core's broadcast topic, server-wide keys of other users of the
 * stores) gets an object named after its canonical text (`storeKeyText`). Each object keeps keys
 * and topics by that text, so this mapping decides only placement, never meaning.
 *
 * Rate-limit buckets are the exception to "everything of a session together": every bucket, with a
 * session or without, gets an object of its own (`limit:<storeKeyText>`), see `objectForLimit`.
 */

import type { StoreKey } from "@portico/core";
import { storeKeyText } from "@portico/core";

/** The object name for a SessionStore key. */
export function objectForKey(key: StoreKey): string {
  return key.session === undefined ? `key:${storeKeyText(key)}` : objectForSession(key.session);
}

/** The object name for a Bus topic. */
export function objectForTopic(topic: StoreKey): string {
  return topic.session === undefined ? `topic:${storeKeyText(topic)}` : objectForSession(topic.session);
}

/** The object name for a session's event log (and everything else of that session). */
export function objectForSession(sessionId: string): string {
  return `session:${sessionId}`;
}

/**
 * The object name for a rate-limit bucket: an object of its own per bucket, named after its full
 * text, with or without a session. A bucket is one number that only its own takes touch, and only
 * those must be serialised to be atomic; so buckets are never gathered (one object for all limits,
 * or per kind, would make every take of every caller queue behind one single-threaded object), and
 * a session's bucket stays out of the session's object, where its takes would queue behind the
 * session's reads, appends and publishes. Takes on different buckets thus run in parallel, a take
 * is one call, and a hot bucket has an object's whole throughput. The `limit:` prefix keeps a
 * bucket off the object of a SessionStore key or topic with the same text. An idle bucket costs
 * nothing: its row expires once the bucket is full again, and the alarm then deletes the object's
 * storage.
 */
export function objectForLimit(key: StoreKey): string {
  return `limit:${storeKeyText(key)}`;
}
