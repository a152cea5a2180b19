/**
 * An entry module that throws a value that is not an Error while it loads — even `null` — is
 * reported like any other: one line naming the entry and what it threw, exit code 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "./_cli.ts";

const scratch = mkdtempSync(join(tmpdir(), "portico-cli-throws-null-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("an entry that throws something other than an Error while loading", () => {
  it.each([
    ["null", "null"],
    ["undefined", "undefined"],
    ["42", "42"],
  ])("throw %s: says the entry threw it", async (thrown, shown) => {
    const file = `throws-${thrown}.ts`;
    writeFileSync(join(scratch, file), `throw ${thrown};\nexport {};\n`);
    const { code, stderr } = await run(["call", file, "x"], { cwd: scratch });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`portico: throws-${thrown}.ts threw while loading: ${shown}`);
  });
});
