/**
 * fillRandom: secure random bytes that, on Node, come from the kernel (/dev/urandom) so a cold
 * start does not load Node's crypto; elsewhere, or when the device cannot be read, from
 * `crypto.getRandomValues`. Fresh processes show which path ran from the modules they loaded.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { fillRandom } from "../src/random.ts";

const SOURCE = fileURLToPath(new URL("../src/random.ts", import.meta.url));
/** The child imports the TypeScript source: Node strips its types from 22.18. */
const nodeStripsTypes =
  (process.features as { typescript?: unknown }).typescript === "strip" ||
  (process.features as { typescript?: unknown }).typescript === "transform";

/** A fresh node runs `setup`, fills 64 bytes, and reports them and the crypto modules it loaded. */
async function fresh(setup = ""): Promise<{ bytes: number[]; crypto: string[] }> {
  const script = `${setup}
const { fillRandom } = await import(${JSON.stringify(SOURCE)});
const before = new Set(process.moduleLoadList);
const bytes = [...fillRandom(new Uint8Array(64))];
const crypto = process.moduleLoadList.filter((m) => !before.has(m) && /crypto/.test(m));
process.stdout.write(JSON.stringify({ bytes, crypto }));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", "--input-type=module", "-e", script],
    { timeout: 30_000 },
  );
  return JSON.parse(stdout);
}

const looksRandom = (bytes: number[]) => new Set(bytes).size > 32;

describe("fillRandom", () => {
  it("fills buffers of any length, the one it was given, differently each time", () => {
    for (const length of [0, 1, 31, 4096, 65_537, 200_000]) {
      const bytes = new Uint8Array(length);
      expect(fillRandom(bytes)).toBe(bytes);
    }
    const a = fillRandom(new Uint8Array(4096));
    const b = fillRandom(new Uint8Array(4096));
    expect(new Set(a).size).toBeGreaterThan(240);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    // Past getRandomValues' 65,536-byte limit too, to the last byte.
    const big = fillRandom(new Uint8Array(200_000));
    expect(new Set(big.subarray(199_000)).size).toBeGreaterThan(200);
  });

  it.runIf(nodeStripsTypes)("reads the kernel's CSPRNG on Node: no crypto module loads", async () => {
    const { bytes, crypto } = await fresh();
    expect(looksRandom(bytes)).toBe(true);
    expect(crypto).toStrictEqual([]);
  });

  it.runIf(nodeStripsTypes)(
    "falls back to crypto.getRandomValues when /dev/urandom cannot be read",
    async () => {
      const failing = `
const real = process.getBuiltinModule.bind(process);
process.getBuiltinModule = (id) => id === "node:fs"
  ? { ...real("node:fs"), openSync: () => { throw new Error("EACCES"); } }
  : real(id);`;
      const { bytes, crypto } = await fresh(failing);
      expect(looksRandom(bytes)).toBe(true);
      expect(crypto).not.toStrictEqual([]);
    },
  );

  it.runIf(nodeStripsTypes)("uses crypto.getRandomValues where Node is emulated (workerd)", async () => {
    const workerd = `Object.defineProperty(globalThis, "navigator", { value: { userAgent: "Cloudflare-Workers" } });`;
    const { bytes, crypto } = await fresh(workerd);
    expect(looksRandom(bytes)).toBe(true);
    expect(crypto).not.toStrictEqual([]);
  });
});
