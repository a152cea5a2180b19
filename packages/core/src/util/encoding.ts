/** Byte/text encodings shared by the core (no Node APIs). */
import { fillRandom } from "@portico/host";

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return base64ToBytes(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
}

const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let poolOffset = 0;

/**
 * A cryptographically random, URL-safe id of `length` characters (6 random bits each). Random bytes
 * are drawn from the platform CSPRNG a pool at a time, so ids on the request path cost no system call
 * (`fillRandom`: on Node, the kernel's, so a cold start does not load Node's crypto for them).
 */
export function randomId(length = 22): string {
  if (poolOffset + length > pool.length) {
    pool = fillRandom(new Uint8Array(Math.max(POOL_BYTES, length)));
    poolOffset = 0;
  }
  let id = "";
  for (let i = 0; i < length; i++) id += URL_SAFE[(pool[poolOffset + i] as number) & 63];
  // Used bytes are wiped so that no later reader of the pool could see an issued id.
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
  return id;
}

/** Text `canonicalJson` writes as it is (the stack holds it between values still to write). */
class Literal {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
const COMMA = new Literal(",");

/**
 * JSON with object keys sorted, so equal values give equal text (a property whose value is
 * `undefined` is no property). A number JSON cannot write (`1e400` parses as `Infinity`) is
 * written `1e999` / `-1e999`, never `null`, so it equals nothing else. Written with an explicit
 * stack: a value nested however deep cannot overflow the call stack.
 */
export function canonicalJson(value: unknown): string {
  let out = "";
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item instanceof Literal) {
      out += item.text;
    } else if (typeof item === "number" && !Number.isFinite(item)) {
      out += Number.isNaN(item) ? "null" : item > 0 ? "1e999" : "-1e999";
    } else if (item === null || typeof item !== "object") {
      out += JSON.stringify(item) ?? "null";
    } else if (Array.isArray(item)) {
      out += "[";
      stack.push(new Literal("]"));
      for (let i = item.length - 1; i >= 0; i--) {
        stack.push(item[i]);
        if (i > 0) stack.push(COMMA);
      }
    } else {
      const entries = Object.entries(item as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      out += "{";
      stack.push(new Literal("}"));
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, v] = entries[i] as [string, unknown];
        stack.push(v, new Literal(`${i > 0 ? "," : ""}${JSON.stringify(key)}:`));
      }
    }
  }
  return out;
}

/** The markers are case-sensitive and lowercase (2026-07-28, Streamable HTTP, Value Encoding). */
const HEADER_B64 = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/** Whether `text` holds only visible ASCII, spaces and tabs. */
function isPlainHeaderText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c > 0x7e) return false;
  }
  return true;
}

/**
 * Decodes an `Mcp-*` header value: `=?base64?…?=` wraps UTF-8 in base64 (the markers exactly so,
 * lowercase: `=?BASE64?…?=` is plain text). Returns `undefined` when the wrapper is present but malformed.
 */
export function decodeHeaderValue(value: string): string | undefined {
  const trimmed = value.trim();
  // Most values are plain: no regex for them. A plain value is visible ASCII, spaces and tabs: a
  // raw byte above 0x7E (a client that sent UTF-8 unencoded) or a control character is malformed.
  if (!trimmed.startsWith("=?base64?")) return isPlainHeaderText(trimmed) ? trimmed : undefined;
  const match = HEADER_B64.exec(trimmed);
  if (match === null) return trimmed;
  if ((match[1] ?? "").length % 4 !== 0) return undefined;
  try {
    // `ignoreBOM: true` keeps a leading byte-order mark: "\uFEFFadd" is not "add".
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(base64ToBytes(match[1] ?? ""));
  } catch {
    return undefined;
  }
}
