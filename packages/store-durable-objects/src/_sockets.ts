/**
 * The Bus inside a session object: each subscription is one WebSocket from the subscribing Worker
 * invocation, accepted with the hibernation API (`ctx.acceptWebSocket`), so the object may be
 * evicted from memory while subscribers wait and every socket is still there when it wakes up.
 * The topic travels with the socket as a tag (when short enough) and as its serialized attachment.
 */

/** Where a subscriber's WebSocket upgrade request goes (the host is never resolved: the stub routes it). */
export const SUBSCRIBE_URL = "https://portico-session-object.invalid/subscribe";

/** Longer topics are known to the object by a digest: a socket's attachment holds at most 2,048 bytes. */
const MAX_TOPIC_LENGTH = 512;

/**
 * The name the object knows a topic (its `storeKeyText`) by: the text itself, or for a long one
 * (a client's long JSON-RPC id in a cancel topic) `sha256:` and the SHA-256 of its UTF-16 code
 * units, which no topic text (`portico:…`) can equal. Publisher and subscribers both use it.
 */
export async function topicName(text: string): Promise<string> {
  if (text.length <= MAX_TOPIC_LENGTH) return text;
  const units = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", units));
  return `sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** WebSocket tags are limited to 256 characters; longer topics share a hashed tag and are told apart by the attachment. */
const MAX_TAG_LENGTH = 256;

/** The tag a topic's sockets are accepted under. */
export function tagOf(topic: string): string {
  if (topic.length <= MAX_TAG_LENGTH - 2) return `t:${topic}`;
  // FNV-1a over UTF-16 code units: only spreads long topics over tags, equality is checked below.
  let hash = 0x811c9dc5;
  for (let i = 0; i < topic.length; i++) {
    hash ^= topic.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `h:${hash.toString(16)}:${topic.length}`;
}

interface Attachment {
  topic: string;
}

/** Accepts the server end of a new subscription socket for `topic`; returns the client end. */
export function acceptSubscriber(ctx: DurableObjectState, topic: string): WebSocket {
  const pair = new WebSocketPair();
  const server = pair[1];
  ctx.acceptWebSocket(server, [tagOf(topic)]);
  server.serializeAttachment({ topic } satisfies Attachment);
  return pair[0];
}

/** Sends `text` to every socket subscribed to `topic`; returns how many got it. */
export function sendToSubscribers(ctx: DurableObjectState, topic: string, text: string): number {
  let sent = 0;
  for (const socket of ctx.getWebSockets(tagOf(topic))) {
    const attachment = socket.deserializeAttachment() as Attachment | null;
    if (attachment?.topic !== topic) continue;
    try {
      socket.send(text);
      sent += 1;
    } catch {
      // A socket closing at this very moment: its subscriber is gone, the others still get the message.
    }
  }
  return sent;
}

/** Completes the closing handshake a subscriber started (unsubscribe, or its invocation ended). */
export function closeSubscriber(socket: WebSocket, code: number): void {
  try {
    // 1005/1006 are reserved: they may be received but never sent.
    socket.close(code === 1005 || code === 1006 ? 1000 : code, "unsubscribed");
  } catch {
    // Already closed.
  }
}
