/**
 * Event ids, as every Portico event store makes them: `<streamId>/<position>`. The stream id is
 * opaque visible ASCII (it may itself contain `/`); the position is the store's own.
 */

const STREAM_ID = /^[\x21-\x7e]+$/;

/** Whether `streamId` is a non-empty string of visible ASCII (it ends up in SSE `id:` lines). */
export function isStreamId(streamId: string): boolean {
  return typeof streamId === "string" && STREAM_ID.test(streamId);
}

/** Throws a TypeError unless `streamId` is a non-empty string of visible ASCII. */
export function assertStreamId(streamId: string): void {
  if (!isStreamId(streamId)) {
    throw new TypeError(
      `stream id must be a non-empty string of visible ASCII, got ${JSON.stringify(streamId)}`,
    );
  }
}

/** The stream id and position of an event id, or `undefined` when it does not have that shape. */
export function splitEventId(eventId: string): { streamId: string; position: string } | undefined {
  const slash = eventId.lastIndexOf("/");
  if (slash <= 0) return undefined;
  const streamId = eventId.slice(0, slash);
  if (!STREAM_ID.test(streamId)) return undefined;
  return { streamId, position: eventId.slice(slash + 1) };
}
