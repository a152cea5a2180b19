/**
 * The tokens the stores write (session versions' random part, event ids' salt) come from
 * `fillRandom`: on Node the kernel's CSPRNG, so a Lambda cold start whose first request creates a
 * session does not load Node's crypto for it (~23 ms under the runtime's `--expose-gc`, which makes
 * Node compile its crypto modules from source). A fresh process shows which path ran.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { randomToken } from "../src/_json.ts";

const SOURCE = fileURLToPath(new URL("../src/_json.ts", import.meta.url));
const nodeStripsTypes =
  (process.features as { typescript?: unknown }).typescript === "strip" ||
  (process.features as { typescript?: unknown }).typescript === "transform";

describe("randomToken", () => {
  it("is lowercase hex of the asked length, different each time", () => {
    const tokens = new Set(Array.from({ length: 100 }, () => randomToken(8)));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{16}$/);
    expect(randomToken(5)).toMatch(/^[0-9a-f]{10}$/);
  });

  it.runIf(nodeStripsTypes)(
    "loads no crypto module on Node (as under the Lambda runtime's flags)",
    async () => {
      const script = `const { randomToken } = await import(${JSON.stringify(SOURCE)});
const before = new Set(process.moduleLoadList);
const token = randomToken(8);
const crypto = process.moduleLoadList.filter((m) => !before.has(m) && /crypto/.test(m));
process.stdout.write(JSON.stringify({ token, crypto }));`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--expose-gc", "--conditions=@portico/source", "--input-type=module", "-e", script],
        { timeout: 30_000 },
      );
      const { token, crypto } = JSON.parse(stdout) as { token: string; crypto: string[] };
      expect(token).toMatch(/^[0-9a-f]{16}$/);
      expect(crypto).toStrictEqual([]);
    },
  );
});
