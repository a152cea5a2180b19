/**
 * Item shapes shared by the three stores: key prefixes, attribute helpers, JSON encoding.
 * See the README's "Table layout" for the picture.
 */
import type { JsonValue } from "@portico/core";
import { fillRandom, sha256 } from "@portico/host";
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from "./table.ts";

/** A DynamoDB attribute value as it is on the wire (only the kinds used here). */
export type Attribute = { S: string } | { N: string };
export type Item = Record<string, Attribute>;

/** What every store needs: the client call, the table, the key namespace and the clock. */
export interface ItemContext {
  tableName: string;
  /** Prepended to every partition key, so several apps (or test runs) can share a table. */
  keyPrefix: string;
  /** Epoch milliseconds. */
  now: () => number;
}

export const S = (value: string): { S: string } => ({ S: value });
export const N = (value: number): { N: string } => ({ N: String(value) });

/** `#pk`, `#sk`, `#ttl`… so no attribute name ever collides with a DynamoDB reserved word. */
export function names(...attributes: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const attribute of attributes) out[`#${attribute}`] = attribute;
  return out;
}

export function key(pk: string, sk: string): Item {
  return { [PARTITION_KEY]: S(pk), [SORT_KEY]: S(sk) };
}

export function str(item: Record<string, unknown>, name: string): string | undefined {
  const value = item[name] as { S?: unknown } | undefined;
  return typeof value?.S === "string" ? value.S : undefined;
}

export function num(item: Record<string, unknown>, name: string): number | undefined {
  const value = item[name] as { N?: unknown } | undefined;
  return typeof value?.N === "string" ? Number(value.N) : undefined;
}

/** The TTL attribute for an expiry in epoch milliseconds (rounded up to whole seconds). */
export function ttlAttribute(expiresAtMs: number): Item {
  return { [TTL_ATTRIBUTE]: ttlValue(expiresAtMs) };
}

export function ttlValue(expiresAtMs: number): { N: string } {
  return N(Math.ceil(expiresAtMs / 1000));
}

/** True when the item's TTL (epoch seconds) lies before `nowMs`: DynamoDB may not have deleted it yet. */
export function ttlExpired(item: Record<string, unknown>, nowMs: number): boolean {
  const ttl = num(item, TTL_ATTRIBUTE);
  return ttl !== undefined && ttl * 1000 < nowMs;
}

export function decodeJson(text: string | undefined): JsonValue {
  if (text === undefined) throw new TypeError("item without a JSON payload");
  return JSON.parse(text) as JsonValue;
}

/** Random lowercase hex (`fillRandom`: on Node, without loading Node's crypto on a cold start). */
export function randomHex(bytes: number): string {
  return hex(fillRandom(new Uint8Array(bytes)));
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** DynamoDB's limit on a partition key value, in UTF-8 bytes. */
const MAX_PARTITION_KEY_BYTES = 2048;

/**
 * The partition key `<keyPrefix><type>#<text>` of a key or topic (`text` is its `storeKeyText`).
 * When that passes DynamoDB's 2048 bytes (a client picks the request ids that name reply mailboxes
 * and cancel topics), `<keyPrefix><type>#~<SHA-256 of text>` instead: a key text always starts with
 * `portico:`, never `~`, so the digest form cannot name a key that fits.
 */
export async function partitionKey(keyPrefix: string, type: string, text: string): Promise<string> {
  const pk = `${keyPrefix}${type}#${text}`;
  // A UTF-16 unit is at most 3 UTF-8 bytes: short keys need no encoding.
  if (pk.length * 3 <= MAX_PARTITION_KEY_BYTES) return pk;
  const encoder = new TextEncoder();
  if (encoder.encode(pk).length <= MAX_PARTITION_KEY_BYTES) return pk;
  return `${keyPrefix}${type}#~${hex(sha256(encoder.encode(text)))}`;
}

export function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive finite number of milliseconds, got ${ttlMs}`);
  }
}

/**
 * The longest lifetime written: 100 years. A longer finite one ("for ever", up to `Number.MAX_VALUE`)
 * would overflow DynamoDB's numbers (at most 38 digits); past a century the cap changes nothing.
 */
const MAX_TTL_MS = 100 * 365.25 * 86_400_000;

/** `ttlMs`, checked ({@link checkTtl}) and capped at {@link MAX_TTL_MS}. */
export function lifetimeOf(ttlMs: number): number {
  checkTtl(ttlMs);
  return Math.min(ttlMs, MAX_TTL_MS);
}
