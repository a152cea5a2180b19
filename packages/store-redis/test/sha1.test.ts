/** The plain-JavaScript SHA-1 that names scripts for EVALSHA, against node:crypto's. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { scriptSha, sha1Hex } from "../src/_sha1.ts";

const nodeSha1 = (bytes: Uint8Array) => createHash("sha1").update(bytes).digest("hex");

describe("sha1Hex", () => {
  it("matches the FIPS 180 examples", () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    expect(sha1Hex(encode(""))).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect(sha1Hex(encode("abc"))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(sha1Hex(encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))).toBe(
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
    );
  });

  it("matches node:crypto for every length from 0 to 300 bytes and for 1 MB", () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
      expect(sha1Hex(bytes), `length ${length}`).toBe(nodeSha1(bytes));
    }
    const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7) & 0xff);
    expect(sha1Hex(big)).toBe(nodeSha1(big));
  });

  it("names a script by the SHA-1 of its UTF-8 text, the same each time", () => {
    const script = "return redis.call('GET', KEYS[1]) -- é";
    expect(scriptSha(script)).toBe(createHash("sha1").update(script, "utf8").digest("hex"));
    expect(scriptSha(script)).toBe(scriptSha(script));
  });
});
