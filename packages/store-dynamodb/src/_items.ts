/**
 * Item shapes shared by the three stores: key prefixes, attribute helpers, JSON encoding.
 * See the README's "Table layout" for the picture.
 */
import type { JsonValue } from "@portico/core";
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

/** Random lowercase hex, from WebCrypto. */
export function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const byte of buffer) out += byte.toString(16).padStart(2, "0");
  return out;
}

export function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive finite number of milliseconds, got ${ttlMs}`);
  }
}
