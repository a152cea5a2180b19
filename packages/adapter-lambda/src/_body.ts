/** Body encodings between Lambda's JSON events/results (string or base64) and Fetch bytes. */

/**
 * `text/*`, `application/` types whose subtype is one of these, and types of any kind whose subtype
 * ends `+` one of these (then a non-word character or the end): `application/json`,
 * `application/problem+json; charset=…`, `image/svg+xml`.
 * Written out, not as a regular expression: compiling one costs a cold start ~0.1 ms.
 */
const TEXT_SUBTYPES = ["json", "xml", "javascript", "x-www-form-urlencoded", "graphql"];
const APPLICATION = "application/";

/** `[A-Za-z0-9_]` (a word character of a regular expression without the `u` flag). */
const isWordChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 95;

/** Whether a text subtype starts at `at`, followed by a non-word character or the end. */
function textSubtypeAt(type: string, at: number): boolean {
  for (const name of TEXT_SUBTYPES) {
    if (type.startsWith(name, at)) {
      const next = at + name.length;
      if (next === type.length || !isWordChar(type.charCodeAt(next))) return true;
    }
  }
  return false;
}
const encoder = new TextEncoder();
/** Lossless only: throws on bytes that are not UTF-8, and keeps a byte-order mark. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The bytes as text when that text is exactly them in UTF-8 (how the front doors send a text body
 * on), else `undefined`: gzip-encoded bodies, other charsets.
 */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Whether a body of this Content-Type goes out as plain text (else base64). */
export function isTextType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const type = contentType.trim().toLowerCase();
  if (type.startsWith("text/")) return true;
  if (type.startsWith(APPLICATION) && textSubtypeAt(type, APPLICATION.length)) return true;
  // A structured-syntax suffix of any type (`application/ld+json`, `image/svg+xml`): `[\w.+-]*` up
  // to a `+` that a text subtype follows.
  const slash = type.indexOf("/");
  if (slash <= 0) return false;
  for (let i = slash + 1; i < type.length; i++) {
    const c = type.charCodeAt(i);
    if (c === 43 /* + */) {
      if (textSubtypeAt(type, i + 1)) return true;
    } else if (!isWordChar(c) && c !== 46 /* . */ && c !== 45 /* - */) return false;
  }
  return false;
}

export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The request body of an event: `null` when there is none, bytes when base64, else the text. */
export function eventBody(
  body: string | null | undefined,
  isBase64Encoded: boolean | undefined,
): string | Uint8Array<ArrayBuffer> | null {
  if (body === null || body === undefined || body === "") return null;
  return isBase64Encoded === true ? base64ToBytes(body) : body;
}

/** A response body as a Lambda result field: text for textual types (when the bytes are UTF-8), else base64. */
export function resultBody(
  body: string | Uint8Array,
  contentType: string | null,
): { body: string; isBase64Encoded: boolean } {
  if (typeof body === "string") {
    if (isTextType(contentType) || contentType === null) return { body, isBase64Encoded: false };
    return { body: bytesToBase64(encoder.encode(body)), isBase64Encoded: true };
  }
  if (body.byteLength === 0) return { body: "", isBase64Encoded: false };
  const text = isTextType(contentType) ? utf8Text(body) : undefined;
  return text === undefined
    ? { body: bytesToBase64(body), isBase64Encoded: true }
    : { body: text, isBase64Encoded: false };
}
