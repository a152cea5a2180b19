import { fillRandom } from "@portico/host";

/**
 * Random lowercase hex (`fillRandom`: the kernel's CSPRNG on Node, so a Lambda cold start does not
 * load Node's crypto for its first session or event — ~23 ms under the runtime's flags; WebCrypto
 * elsewhere).
 */
export function randomToken(bytes: number): string {
  return Array.from(fillRandom(new Uint8Array(bytes)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The longest lifetime written to Redis: 100 years. A longer finite one ("for ever") would reach
 * Redis as `1e+21`, which it refuses as not an integer; past a century the cap changes nothing.
 */
export const MAX_TTL_MS = 100 * 365.25 * 86_400_000;

/** `ttlMs` as Redis wants it: whole milliseconds ≥ 1, at most {@link MAX_TTL_MS}. */
export function ttlArgument(ttlMs: number, what = "ttlMs"): string {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`${what} must be a positive finite number of milliseconds, got ${ttlMs}`);
  }
  return String(Math.ceil(Math.min(ttlMs, MAX_TTL_MS)));
}
