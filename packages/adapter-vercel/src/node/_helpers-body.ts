import type { IncomingMessage } from "node:http";

function setBody(req: IncomingMessage, value: unknown): void {
  Object.defineProperty(req, "body", { value, writable: true, configurable: true, enumerable: true });
}

/**
 * Vercel's Node.js helpers (on unless `NODEJS_HELPERS=0`) read the whole request body before the
 * handler runs, define `req.body` as a lazy getter that parses it by content type (and throws on
 * invalid JSON), and replay the raw bytes through `req.on("data" | "end")`. This takes those raw
 * bytes back and stores them as `req.body`, so the request reaches the app byte for byte —
 * malformed JSON included, which the app then answers with a JSON-RPC parse error.
 *
 * Without the replay, the parsed value is kept (and re-serialised downstream); a body the getter
 * cannot parse becomes an empty one, which a JSON endpoint rejects as malformed too. Does nothing
 * when the body is unread (no helpers: the stream is converted as usual) or `req.body` is already
 * a plain value (a framework parsed it).
 */
export function restoreRawBody(req: IncomingMessage): Promise<void> | undefined {
  if (!(req.readableEnded || req.readableDidRead)) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(req, "body");
  if (descriptor?.get === undefined) return undefined;
  if (!Object.hasOwn(req, "on")) {
    try {
      setBody(req, descriptor.get.call(req));
    } catch {
      setBody(req, "");
    }
    return undefined;
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer | string) => {
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    });
    req.on("end", () => {
      setBody(req, Buffer.concat(chunks));
      resolve();
    });
    req.on("error", reject);
  });
}
