/**
 * The built core must run on every runtime: no `node:` imports, no eval, no dynamic Function.
 * Runs against `dist/` (the root `test` script builds before testing).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));

describe("built @portico/core", () => {
  it("exists (run `pnpm build` first)", () => {
    expect(existsSync(`${dist}index.js`)).toBe(true);
  });

  it("imports no node: modules and never evaluates code", () => {
    const js = readFileSync(`${dist}index.js`, "utf8");
    expect(js).not.toMatch(/from\s*["']node:/);
    expect(js).not.toMatch(/import\(\s*["']node:/);
    expect(js).not.toMatch(/\beval\s*\(/);
    expect(js).not.toMatch(/new\s+Function\s*\(/);
  });

  it("declares no Node types in its public surface", () => {
    const dts = readFileSync(`${dist}index.d.ts`, "utf8");
    expect(dts).not.toMatch(/from\s*["']node:/);
    expect(dts).not.toMatch(/NodeJS\./);
  });
});
