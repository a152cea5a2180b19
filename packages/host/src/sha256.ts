/**
 * SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) in plain JavaScript, synchronous. For what
 * signs AWS requests on a cold start: the first use of WebCrypto (`crypto.subtle`) on Node loads its
 * whole implementation, ~17–25 ms under the Lambda runtime's `--expose-gc`, while hashing the few
 * hundred bytes of a signature here takes well under a millisecond, even before V8 optimises it.
 * Not constant-time with respect to its input's length (nothing secret is in a length here).
 */

/**
 * SHA-256's constants, made at the first hash rather than at import: in V8's interpreter, on a cold
 * start, finding the primes and their roots takes ~0.4 ms, which a process that never hashes (most
 * requests never sign or seal anything) should not pay.
 */
let constants: { initial: Uint32Array; k: Uint32Array } | undefined;

/**
 * The first 32 bits of the fractional parts of the square roots of the first 8 primes (the
 * initial hash value) and of the cube roots of the first 64 (the round constants). Computed rather
 * than written out (700 bytes of hexadecimal in every bundle): each value lies at least 0.005
 * (square roots) and 0.02 (cube roots) of a unit from the next integer, far wider than the error of
 * any `Math.sqrt` (exact) or `Math.cbrt` (within an ulp or so) at these magnitudes.
 */
function tables(): { initial: Uint32Array; k: Uint32Array } {
  if (constants !== undefined) return constants;
  const primes: number[] = [];
  for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p !== 0)) primes.push(n);
  const fraction32 = (root: (x: number) => number, p: number) => ((root(p) % 1) * 2 ** 32) >>> 0;
  constants = {
    initial: new Uint32Array(primes.slice(0, 8).map((p) => fraction32(Math.sqrt, p))),
    k: new Uint32Array(primes.map((p) => fraction32(Math.cbrt, p))),
  };
  return constants;
}

const BLOCK = 64;
const encoder = new TextEncoder();

/** Folds each 64-byte block of `data` before `end` (a multiple of 64) into `state`. */
function compress(state: Uint32Array, w: Uint32Array, k: Uint32Array, data: Uint8Array, end: number): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at < end; at += BLOCK) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(at + i * 4);
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15] as number;
      const y = w[i - 2] as number;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] as number) + s0 + (w[i - 7] as number) + s1;
    }
    let a = state[0] as number;
    let b = state[1] as number;
    let c = state[2] as number;
    let d = state[3] as number;
    let e = state[4] as number;
    let f = state[5] as number;
    let g = state[6] as number;
    let h = state[7] as number;
    for (let i = 0; i < 64; i++) {
      const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + sum1 + ((e & f) ^ (~e & g)) + (k[i] as number) + (w[i] as number)) | 0;
      const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (sum0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    state[0] = (state[0] as number) + a;
    state[1] = (state[1] as number) + b;
    state[2] = (state[2] as number) + c;
    state[3] = (state[3] as number) + d;
    state[4] = (state[4] as number) + e;
    state[5] = (state[5] as number) + f;
    state[6] = (state[6] as number) + g;
    state[7] = (state[7] as number) + h;
  }
}

/** The SHA-256 digest (32 bytes) of `data` (text is hashed as UTF-8). */
export function sha256(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  const { initial, k } = tables();
  const state = initial.slice();
  const w = new Uint32Array(64);
  const whole = bytes.length - (bytes.length % BLOCK);
  compress(state, w, k, bytes, whole);
  // The rest, a 1 bit, zeros, and the length in bits as a 64-bit big-endian number: one or two blocks.
  const rest = bytes.length - whole;
  const tail = new Uint8Array(rest < 56 ? BLOCK : 2 * BLOCK);
  tail.set(bytes.subarray(whole));
  tail[rest] = 0x80;
  const view = new DataView(tail.buffer);
  const bits = bytes.length * 8;
  view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
  view.setUint32(tail.length - 4, bits >>> 0);
  compress(state, w, k, tail, tail.length);
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, state[i] as number);
  return out;
}

/** HMAC-SHA-256 (32 bytes) of `data` under `key` (text is taken as UTF-8). */
export function hmacSha256(key: Uint8Array | string, data: Uint8Array | string): Uint8Array {
  let k = typeof key === "string" ? encoder.encode(key) : key;
  if (k.length > BLOCK) k = sha256(k);
  const message = typeof data === "string" ? encoder.encode(data) : data;
  const inner = new Uint8Array(BLOCK + message.length);
  const outer = new Uint8Array(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    const byte = k[i] ?? 0;
    inner[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
  }
  inner.set(message, BLOCK);
  outer.set(sha256(inner), BLOCK);
  return sha256(outer);
}

/** Lower-case hexadecimal text of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += (byte < 16 ? "0" : "") + byte.toString(16);
  return out;
}
