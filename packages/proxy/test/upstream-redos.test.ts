/**
 * Regular expressions an upstream hands over in a tool's schemas: core checks `pattern` and
 * `patternProperties` with V8's backtracking RegExp, so `^(a+)+$` against `"a"×31 + "!"` held the
 * event loop for 10 s. Portico runs only patterns whose matching time stays linear; a schema with
 * another is handled as one core refuses (`unvalidatedSchemas`: skipped, or forwarded unvalidated).
 */
import { describe, expect, it } from "vitest";
import { safePattern } from "../src/safe-pattern.ts";
import { front, modern } from "./_front.ts";

type Json = Record<string, any>;

const EVIL = "^(a+)+$";
/** Enough to show whether the pattern ran (about 2^20 steps), too little to stall a test. */
const NEAR_MISS = `${"a".repeat(20)}!`;

const TOOLS = [
  {
    name: "evilOut",
    inputSchema: { type: "object" },
    outputSchema: { type: "object", properties: { s: { type: "string", pattern: EVIL } } },
  },
  {
    name: "evilIn",
    inputSchema: { type: "object", properties: { s: { type: "string", pattern: EVIL } } },
  },
  {
    name: "evilKeys",
    inputSchema: { type: "object", patternProperties: { "(x|x)*y": { type: "string" } } },
  },
  {
    name: "slug",
    inputSchema: {
      type: "object",
      properties: {
        slug: { type: "string", pattern: "^[a-z0-9-]+$" },
        day: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
      },
    },
  },
];

/** A modern upstream listing TOOLS; `tools/call` answers `{ s: NEAR_MISS }` as structured content. */
function upstream() {
  const calls: Json[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const body = (await new Request(input, init).json()) as Json;
    let result: Json;
    if (body.method === "server/discover") {
      result = { supportedVersions: ["2026-07-28"], capabilities: { tools: {} } };
    } else if (body.method === "tools/list") result = { tools: TOOLS };
    else if (body.method === "tools/call") {
      calls.push(body.params);
      result = { content: [{ type: "text", text: "x" }], structuredContent: { s: NEAR_MISS } };
    } else result = {};
    return Response.json({ jsonrpc: "2.0", id: body.id, result: { resultType: "complete", ...result } });
  };
  return { fetch: fetchFn, calls };
}

describe("an upstream schema with a pattern that can backtrack catastrophically", () => {
  for (const mode of ["skip", "forward"] as const) {
    it(`is advertised verbatim and never run by Portico (unvalidatedSchemas: "${mode}"): the upstream validates`, async () => {
      const up = upstream();
      const f = await front("http://up.test/mcp", { fetch: up.fetch, unvalidatedSchemas: mode });
      expect(f.proxied.tools).toEqual(["evilOut", "evilIn", "evilKeys", "slug"]);
      expect(f.proxied.skipped).toEqual([]);
      expect(f.proxied.unvalidated.map((u) => u.reason)).toEqual([
        expect.stringContaining(`outputSchema's pattern "${EVIL}"`),
        expect.stringContaining(`inputSchema's pattern "${EVIL}"`),
        expect.stringContaining('pattern "(x|x)*y"'),
      ]);
      expect(f.proxied.unvalidated.map((u) => [u.name, u.schema])).toEqual([
        ["evilOut", "output"],
        ["evilIn", "input"],
        ["evilKeys", "input"],
      ]);
      const listed = (await modern(f.handler, "tools/list")).result.tools as Json[];
      expect(listed.find((t) => t.name === "evilOut")?.outputSchema).toEqual(TOOLS[0]?.outputSchema);
      expect(listed.find((t) => t.name === "evilIn")?.inputSchema).toEqual(TOOLS[1]?.inputSchema);

      // The structured output is not checked against the pattern (before: "does not match").
      const out = await modern(f.handler, "tools/call", { name: "evilOut", arguments: {} });
      expect(out.result.isError).toBeUndefined();
      expect(out.result.structuredContent).toEqual({ s: NEAR_MISS });
      // The arguments reach the upstream, which validates them (before: refused locally).
      const input = await modern(f.handler, "tools/call", { name: "evilIn", arguments: { s: NEAR_MISS } });
      expect(input.result.isError).toBeUndefined();
      expect(up.calls.map((c) => c.name)).toEqual(["evilOut", "evilIn"]);
      await f.proxied.close();
    });
  }

  it("common patterns are still validated locally: bad arguments never reach the upstream", async () => {
    const up = upstream();
    const f = await front("http://up.test/mcp", { fetch: up.fetch });
    const bad = await modern(f.handler, "tools/call", { name: "slug", arguments: { slug: "Not a slug" } });
    expect(bad.result.isError).toBe(true);
    expect(bad.result.content[0].text).toMatch(/^Invalid arguments for tool slug: \/slug: /);
    const badDay = await modern(f.handler, "tools/call", { name: "slug", arguments: { day: "2024-1-1" } });
    expect(badDay.result.isError).toBe(true);
    expect(up.calls).toEqual([]);
    const good = await modern(f.handler, "tools/call", {
      name: "slug",
      arguments: { slug: "my-slug-2", day: "2024-01-31" },
    });
    expect(good.result.isError).toBeUndefined();
    expect(up.calls).toHaveLength(1);
    await f.proxied.close();
  });
});

describe("safePattern", () => {
  it("refuses nested or adjacent repetition, backreferences and lookarounds", () => {
    for (const pattern of [
      EVIL,
      "(a|a)*",
      "(a|ab)*c",
      "(\\w+\\s?)*$",
      "^(([a-z])+.)+[A-Z]([a-z])+$",
      "(a)\\1",
      "(?<n>a)\\k<n>",
      "^(?=a)a",
      "(?<!a)b",
      "\\s+$", // unanchored: tried from every position, quadratic
      "^\\S+@\\S+$",
      "^\\d*\\d*$",
      "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$",
      "^x?x?x?x?x?x?x?x?x?x?x?x?x?x?x?x?x?x?$",
      "^a*a{200}!",
      `${"(".repeat(40)}a${")".repeat(40)}`,
    ]) {
      expect(safePattern(pattern), pattern).toBe(false);
    }
  });

  it("keeps patterns that match in linear time", () => {
    for (const pattern of [
      "^[a-z0-9-]+$",
      "^\\d{4}-\\d{2}-\\d{2}$",
      "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$",
      "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
      "^https?://",
      "^(\\+|00)?\\d{6,15}$",
      "^[A-Z]{3}$",
      "^[\\p{L} ]+$",
      "^(?<year>\\d{4})$",
      "^[a-z]{1,63}$",
      "^(ab)+$",
      "abc",
      "",
    ]) {
      expect(safePattern(pattern), pattern).toBe(true);
    }
  });
});
