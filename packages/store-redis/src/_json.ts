/** Random lowercase hex from WebCrypto (available on Node, Workers, Edge and Deno). */
export function randomToken(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
}

/** Redis wants whole milliseconds ≥ 1. */
export function ttlArgument(ttlMs: number, what = "ttlMs"): string {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`${what} must be a positive finite number of milliseconds, got ${ttlMs}`);
  }
  return String(Math.ceil(ttlMs));
}
