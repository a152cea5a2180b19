import type { IncomingMessage, ServerResponse } from "node:http";
import { dropRest } from "./_drain.ts";

/** Bytes buffered inside the web stream before the Node stream is paused. */
const HIGH_WATER_MARK = 64 * 1024;
const encoder = new TextEncoder();

function toBytes(chunk: unknown): Uint8Array {
  if (typeof chunk === "string") return encoder.encode(chunk);
  if (chunk instanceof Uint8Array) {
    // A plain view over the same memory: no copy, and no Buffer subclass leaking to the app.
    return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  throw new TypeError("request body stream produced a non-byte chunk");
}

/**
 * Wraps a request's body (`stream`, the `IncomingMessage`) in a web `ReadableStream` that pulls
 * lazily: the Node stream is paused whenever the web stream's queue is full, so a slow consumer slows
 * the client down instead of buffering the body in memory.
 *
 * Cancelling the web stream does not destroy the socket at once: the rest of the body is dropped, up
 * to a cap (`dropRest`), so the response `res` (e.g. a 413) can still be delivered; past the cap,
 * the connection closes once that response is out.
 */
export function readableToWeb(stream: IncomingMessage, res?: ServerResponse): ReadableStream<Uint8Array> {
  let detach = (): void => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (stream.readableEnded) {
          controller.close();
          return;
        }
        if (stream.destroyed) {
          controller.error(new DOMException("The request stream was already closed", "AbortError"));
          return;
        }
        const onData = (chunk: unknown): void => {
          try {
            controller.enqueue(toBytes(chunk));
          } catch (error) {
            onError(error);
            return;
          }
          if ((controller.desiredSize ?? 0) <= 0) stream.pause();
        };
        const onEnd = (): void => {
          detach();
          controller.close();
        };
        const onError = (error: unknown): void => {
          detach();
          controller.error(error);
        };
        const onClose = (): void => {
          if (stream.readableEnded) return;
          onError(new DOMException("The client closed the connection before the body ended", "AbortError"));
        };
        detach = () => {
          detach = () => {};
          stream.off("data", onData);
          stream.off("end", onEnd);
          stream.off("error", onError);
          stream.off("close", onClose);
        };
        stream.on("data", onData);
        stream.on("end", onEnd);
        stream.on("error", onError);
        stream.on("close", onClose);
        // Adding a 'data' listener switched the stream to flowing mode; wait for the first pull().
        stream.pause();
      },
      pull() {
        stream.resume();
      },
      cancel() {
        detach();
        // Drop what is left (up to a cap), keeping the connection usable for the response.
        dropRest(stream, res);
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_MARK }),
  );
}
