/**
 * Which session object a key, an event log or a topic lives in. The core names its keys and
 * topics after the legacy session (`portico:session:<id>`, `portico:reply:<id>:<request>`,
 * `portico:stream:<id>:<stream>`, `portico:cancel:<id>:<request>`), so everything of one session
 * lands in the object named after that session id — the object its event log lives in too.
 * Anything else (the global `portico:broadcast` topic, keys of other users of the stores) gets an
 * object named after the key or topic itself. Each object keeps full keys and topics, so this
 * mapping decides only placement, never meaning: an unexpected name is still correct, just
 * placed alone.
 */

const SESSION_KEYED = /^portico:(?:session|reply|stream|cancel):([^:]+)(?::|$)/;

/** The object name for a SessionStore key. */
export function objectForKey(key: string): string {
  return sessionOf(key) ?? `key:${key}`;
}

/** The object name for a Bus topic. */
export function objectForTopic(topic: string): string {
  return sessionOf(topic) ?? `topic:${topic}`;
}

/** The object name for a session's event log. */
export function objectForSession(sessionId: string): string {
  return `session:${sessionId}`;
}

function sessionOf(name: string): string | undefined {
  const match = SESSION_KEYED.exec(name);
  return match?.[1] === undefined ? undefined : objectForSession(match[1]);
}
