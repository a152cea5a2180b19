/**
 * The plain-JavaScript SHA-256 and HMAC-SHA-256 that sign AWS requests: the published test vectors
 * (FIPS 180-4's examples, RFC 4231), then every length around the block and padding boundaries
 * against Node's own implementation.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hmacSha256, sha256, toHex } from "../src/sha256.ts";

const hex = (data: Uint8Array | string) => toHex(sha256(data));

describe("sha256", () => {
  it("gives the published digests", () => {
    expect(hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    expect(hex("a".repeat(1_000_000))).toBe(
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    );
  });

  it("agrees with node:crypto for every length from 0 to 300 bytes (both padding cases) and for text", () => {
    for (let length = 0; length <= 300; length++) {
      const data = new Uint8Array(randomBytes(length));
      expect(hex(data)).toBe(createHash("sha256").update(data).digest("hex"));
    }
    const text = "héllo wörld — ✓ 🎉";
    expect(hex(text)).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
  });

  it("hashes a view into a larger buffer by its own bytes only", () => {
    const buffer = new Uint8Array(randomBytes(200));
    const view = buffer.subarray(37, 150);
    expect(hex(view)).toBe(createHash("sha256").update(view).digest("hex"));
  });
});

describe("hmacSha256", () => {
  it("gives RFC 4231's results (a short key, a text key, a key longer than a block)", () => {
    expect(toHex(hmacSha256(new Uint8Array(20).fill(0x0b), "Hi There"))).toBe(
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
    expect(toHex(hmacSha256("Jefe", "what do ya want for nothing?"))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    expect(
      toHex(
        hmacSha256(new Uint8Array(131).fill(0xaa), "Test Using Larger Than Block-Size Key - Hash Key First"),
      ),
    ).toBe("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  });

  it("agrees with node:crypto for keys of 0 to 130 bytes and messages around the block size", () => {
    for (let keyLength = 0; keyLength <= 130; keyLength += 1) {
      const key = new Uint8Array(randomBytes(keyLength));
      for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 200]) {
        const data = new Uint8Array(randomBytes(length));
        expect(toHex(hmacSha256(key, data))).toBe(createHmac("sha256", key).update(data).digest("hex"));
      }
    }
  });
});

describe("the constants", () => {
  it("are FIPS 180-4's: the digest of a message long enough to use every round constant matches", () => {
    // Every block runs all 64 rounds and starts from the initial hash values: any wrong constant
    // changes every digest; these cover one, two and many blocks.
    for (const length of [3, 64, 1000]) {
      const data = new Uint8Array(length).fill(0x61);
      expect(toHex(sha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
    }
  });
});
