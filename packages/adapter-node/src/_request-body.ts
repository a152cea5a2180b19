import type { IncomingMessage } from "node:http";

const encoder = new TextEncoder();

/** Has something (a body parser) already read the request stream? */
export function isConsumed(req: IncomingMessage): boolean {
  return req.readableDidRead || req.readableEnded;
}

/**
 * Re-encodes a body a framework already parsed: bytes stay bytes, strings are UTF-8 encoded, and any
 * other value (what `express.json()` produces) is serialised again with `JSON.stringify`.
 */
function encodeParsedBody(parsed: unknown): Uint8Array<ArrayBuffer> | null {
  if (parsed instanceof Uint8Array) return new Uint8Array(parsed); // a copy: parsers may reuse the buffer
  if (parsed instanceof ArrayBuffer) return new Uint8Array(parsed);
  if (typeof parsed === "string") return encoder.encode(parsed);
  const json = JSON.stringify(parsed) as string | undefined;
  return json === undefined ? null : encoder.encode(json);
}

/**
 * The body of a request whose stream a framework has already consumed (Express `express.json()` /
 * `express.raw()` / `express.text()`, Fastify's parsers), rebuilt from `req.body`, or `null` when
 * there is none. `headers` is corrected in place (`content-length` set to the new size,
 * `content-encoding` / `transfer-encoding` removed, since parsers decompress). A consumed stream
 * without `req.body` yields an empty body. (Unread streams are served by `NodeRequest`.)
 */
export function parsedBody(req: IncomingMessage, headers: Headers): Uint8Array<ArrayBuffer> | null {
  const method = req.method ?? "GET";
  if (method === "GET" || method === "HEAD") return null;
  const parsed = (req as { body?: unknown }).body;
  const bytes = parsed === undefined ? null : encodeParsedBody(parsed);
  headers.delete("content-encoding");
  headers.delete("transfer-encoding");
  headers.set("content-length", String(bytes?.byteLength ?? 0));
  return bytes;
}
