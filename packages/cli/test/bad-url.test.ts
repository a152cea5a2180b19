/**
 * A URL target that does not parse (`portico call`, `portico inspect`) is a usage problem: one
 * line saying so, exit 2, nothing started.
 */
import { describe, expect, it } from "vitest";
import { run } from "./_cli.ts";

const FAKE_INSPECTOR = new URL("./fake-inspector.mjs", import.meta.url).pathname;

describe("a URL that does not parse", () => {
  it("portico call: one line, exit 2", async () => {
    const { code, stdout, stderr } = await run(["call", "http://[bad/mcp", "add"]);
    expect({ code, stdout, stderr }).toEqual({
      code: 2,
      stdout: "",
      stderr: 'portico: "http://[bad/mcp" is not a valid URL\n',
    });
  });

  it("portico inspect: one line, exit 2, no Inspector launched", async () => {
    const { code, stdout, stderr } = await run(["inspect", "http://[bad/mcp", "--cli"], {
      env: { PORTICO_INSPECTOR: FAKE_INSPECTOR },
    });
    expect({ code, stdout, stderr }).toEqual({
      code: 2,
      stdout: "",
      stderr: 'portico: "http://[bad/mcp" is not a valid URL\n',
    });
  });
});
