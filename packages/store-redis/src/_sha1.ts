/**
 * The SHA-1 of a script's text, which `EVALSHA` names it by: plain JavaScript (FIPS 180-4), computed
 * once per script on first use. Not Web Crypto: on Node that loads the crypto modules — ~23 ms on a
 * Lambda cold start, whose runtime flags make Node compile them from source — and it is asynchronous.
 * SHA-1 here only names a script Redis already knows by that name; nothing relies on it for security.
 */

/** Per script text, its digest. */
const digests = new Map<string, string>();
const encoder = new TextEncoder();

/** The script's SHA-1 in lowercase hex, as Redis names cached scripts. */
export function scriptSha(script: string): string {
  let sha = digests.get(script);
  if (sha === undefined) {
    sha = sha1Hex(encoder.encode(script));
    digests.set(script, sha);
  }
  return sha;
}

const rotate = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/** SHA-1 of `bytes`, lowercase hex. */
export function sha1Hex(bytes: Uint8Array): string {
  // The message, a 1 bit, zeros, and its length in bits (64-bit big-endian): whole 64-byte blocks.
  const total = Math.ceil((bytes.length + 9) / 64) * 64;
  const padded = new Uint8Array(total);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(total - 8, Math.floor(bytes.length / 0x20000000));
  view.setUint32(total - 4, (bytes.length * 8) >>> 0);
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Int32Array(80);
  for (let block = 0; block < total; block += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(block + i * 4);
    for (let i = 16; i < 80; i++) w[i] = rotate(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1);
    let [a, b, c, d, e] = h as [number, number, number, number, number];
    for (let i = 0; i < 80; i++) {
      let mix: number;
      let k: number;
      if (i < 20) {
        mix = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        mix = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        mix = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        mix = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const next = (rotate(a, 5) + mix + e + k + w[i]!) | 0;
      e = d;
      d = c;
      c = rotate(b, 30);
      b = a;
      a = next;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
  }
  return h.map((x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
}
