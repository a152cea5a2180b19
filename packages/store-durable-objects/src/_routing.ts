/**
 * Which session object a key, an event log or a topic lives in. Keys and topics arrive structured
 * (`{ kind, session?, id? }`), so placement reads `session` and never parses a name: everything of
 * one session — its record, its reply mailbox, its event log, the topics of its streams, replies
 * and cancellations, whatever their kind — lands in the object named after that session id. A key
 * or topic without a session (the core's broadcast topic, server-wide keys of other users of the
 * stores) gets an object named after its canonical text (`storeKeyText`). Each object keeps keys
 * and topics by that text, so this mapping decides only placement, never meaning.
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
