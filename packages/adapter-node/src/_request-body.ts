import type { IncomingMessage } from "node:http";
import { readableToWeb } from "./_readable-to-web.ts";

const encoder = new TextEncoder();

/** Has something (a body parser) already read the request stream? */
export function isConsumed(req: IncomingMessage): boolean {
  return req.readableDidRead || req.readableEnded;
}

/** Does the message declare a body at all (RFC 9112 §6.3)? */
function declaresBody(req: IncomingMessage): boolean {
  if (req.headers["transfer-encoding"] !== undefined) return true;
  const length = req.headers["content-length"];
  return length !== undefined && length !== "0";
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
 * The body to give the Fetch `Request`, or `null` when there is none.
 *
 * Normally the Node stream itself, wrapped without buffering. When a framework has already consumed the
 * stream (Express `express.json()` / `express.raw()` / `express.text()`, Fastify's parsers) and left the
 * result in `req.body`, the body is rebuilt from that value; `headers` is then corrected in place
 * (`content-length` set to the new size, `content-encoding` / `transfer-encoding` removed, since
 * parsers decompress). A consumed stream without `req.body` yields an empty body.
 */
export function requestBody(
  req: IncomingMessage,
  headers: Headers,
): ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null {
  const method = req.method ?? "GET";
  if (method === "GET" || method === "HEAD") return null;

  if (isConsumed(req)) {
    const parsed = (req as { body?: unknown }).body;
    const bytes = parsed === undefined ? null : encodeParsedBody(parsed);
    headers.delete("content-encoding");
    headers.delete("transfer-encoding");
    headers.set("content-length", String(bytes?.byteLength ?? 0));
    return bytes;
  }

  if (!declaresBody(req)) return null;
  return readableToWeb(req);
}
