/**
 * The POST body, read once at the edge and bounded: at most `maxBodyBytes` (413), valid UTF-8 and
 * JSON (400), nested at most `maxJsonDepth` deep with at most `maxJsonItems` members per object or
 * array (400) — so nothing behind the edge (stores, canonical JSON, copies) can be made to recurse
 * or loop without bound. A body that cannot be read (the client went away mid-upload) is a quiet
 * 400: not a server error, and not logged.
 */
import { bodyText, readBufferedRequest } from "@portico/host";
import { ErrorCode } from "../errors.ts";
import { httpError } from "./responses.ts";

export interface BodyLimits {
  maxBodyBytes: number;
  maxJsonDepth: number;
  maxJsonItems: number;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const encoder = new TextEncoder();
const DECIMAL = /^\d{1,15}$/;

/** The parsed JSON body, or the `Response` refusing it. */
export async function readJsonBody(request: Request, limits: BodyLimits): Promise<unknown> {
  const text = await readBody(request, limits.maxBodyBytes);
  if (typeof text !== "string") return text;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return httpError(400, ErrorCode.ParseError, "Parse error: the body is not valid JSON");
  }
  const problem = jsonShapeProblem(body, limits);
  return problem === undefined
    ? body
    : httpError(400, ErrorCode.InvalidRequest, `Invalid Request: ${problem}`);
}

/**
 * Why `value` exceeds the limits, or `undefined`. Iterative (an explicit stack), so the check itself
 * cannot overflow whatever the nesting.
 */
export function jsonShapeProblem(
  value: unknown,
  limits: Omit<BodyLimits, "maxBodyBytes">,
): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const stack: [object, number][] = [[value, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (depth > limits.maxJsonDepth) return `JSON nested deeper than ${limits.maxJsonDepth} levels`;
    const members = Array.isArray(node) ? node : Object.values(node);
    if (members.length > limits.maxJsonItems)
      return `a JSON ${Array.isArray(node) ? "array" : "object"} has more than ${limits.maxJsonItems} members`;
    for (const member of members)
      if (typeof member === "object" && member !== null) stack.push([member, depth + 1]);
  }
  return undefined;
}

/**
 * Reads the body as text, refusing more than `limit` bytes (413). Answers 400 when the body is
 * not valid UTF-8 text, or cannot be read at all.
 */
export async function readBody(request: Request, limit: number): Promise<string | Response> {
  try {
    return await readBodyText(request, limit);
  } catch {
    return httpError(400, ErrorCode.InvalidRequest, "Bad Request: the body could not be read");
  }
}

async function readBodyText(request: Request, limit: number): Promise<string | Response> {
  const tooLarge = () =>
    httpError(413, ErrorCode.InvalidRequest, `Payload Too Large: the body exceeds ${limit} bytes`, {
      data: { limit },
    });
  const buffered = readBufferedRequest(request);
  if (buffered !== undefined) {
    // An adapter's whole body: no stream. A string's UTF-8 size is at most three bytes a unit.
    const body = buffered.body ?? "";
    if (typeof body === "string") {
      if (body.length * 3 > limit && encoder.encode(body).byteLength > limit) return tooLarge();
      // As the UTF-8 decoding of bytes gives it (and Request's text()).
      return bodyText(body);
    }
    if (body.byteLength > limit) return tooLarge();
    return decodeUtf8(body);
  }
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    await discard(request.body, DRAIN_LIMIT);
    return tooLarge();
  }
  let bytes: Uint8Array;
  if (declared !== null && DECIMAL.test(declared)) {
    // The framing guarantees the length, so the body can be taken whole: no stream machinery.
    bytes = await wholeBody(request);
    if (bytes.byteLength > limit) return tooLarge();
  } else {
    const streamed = await readLimited(request.body, limit);
    if (streamed === undefined) return tooLarge();
    bytes = streamed;
  }
  return decodeUtf8(bytes);
}

/**
 * The whole body. `bytes()` spares a copy, but lightweight Requests of Node bridges
 * (@hono/node-server) inherit `Request.prototype.bytes`, which refuses them before reading anything:
 * then `arrayBuffer()`, which they implement. (Comparing with `Request.prototype.bytes` instead
 * would touch the global `Request`, which loads undici on Node.)
 */
async function wholeBody(request: Request): Promise<Uint8Array> {
  if (typeof request.bytes !== "function") return new Uint8Array(await request.arrayBuffer());
  try {
    return await request.bytes();
  } catch (error) {
    // A body bytes() did read is gone, and arrayBuffer() then fails too: report the first failure.
    const buffer: ArrayBuffer = await request.arrayBuffer().catch(() => Promise.reject(error));
    return new Uint8Array(buffer);
  }
}

function decodeUtf8(bytes: Uint8Array): string | Response {
  try {
    return UTF8.decode(bytes);
  } catch {
    return httpError(400, ErrorCode.ParseError, "Parse error: the body is not valid UTF-8");
  }
}

/**
 * How much of a refused body is read and dropped before the 413. Some hosts (workerd behind
 * `wrangler dev`) reset the connection when a handler answers while the client is still uploading,
 * so the client never sees the 413; reading the rest first lets it. Beyond this, the body is
 * cancelled (the client may then see a reset: better than reading without end).
 */
const DRAIN_LIMIT = 32 * 1024 * 1024;

/** Reads and drops up to `cap` bytes of `body`, then cancels whatever is left. */
async function discard(body: ReadableStream<Uint8Array> | null, cap: number): Promise<void> {
  if (body === null) return;
  const reader = body.getReader();
  try {
    for (let read = 0; read <= cap; ) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // the client went away: nothing to answer
  } finally {
    reader.releaseLock();
  }
}

/** The whole stream, or `undefined` (and the stream cancelled) once it exceeds `limit` bytes. */
async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array | undefined> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Drop the rest (up to the drain limit) so the client gets its 413 (see DRAIN_LIMIT).
      reader.releaseLock();
      await discard(body, DRAIN_LIMIT);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
