import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { VercelRequest, VercelResponse } from "@vercel/node";
import { describe, expect, it } from "vitest";
import { handle } from "../src/index.ts";
import { toNodeHandler } from "../src/node/index.ts";

const src = join(dirname(fileURLToPath(import.meta.url)), "..", "src");

/** Every runtime import specifier of `file` and of the relative modules it imports, transitively. */
function importsOf(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+"([^"]+)"/gms)].map(
    (m) => m[1] as string,
  );
  return specifiers.flatMap((specifier) =>
    specifier.startsWith(".")
      ? [specifier, ...importsOf(resolve(dirname(file), specifier), seen)]
      : [specifier],
  );
}

describe("entry points", () => {
  it("the Web entry (Edge runtime) imports nothing from Node, and no package but the runtime-free contract", () => {
    const imports = importsOf(join(src, "index.ts"));
    expect(imports.length).toBeGreaterThan(0);
    expect(new Set(imports.filter((specifier) => !specifier.startsWith(".")))).toEqual(
      new Set(["@portico/host"]),
    );
    // @portico/host itself imports nothing at run time.
    const host = join(src, "..", "node_modules", "@portico", "host", "src", "index.ts");
    expect(importsOf(host).filter((specifier) => !specifier.startsWith("."))).toEqual([]);
  });

  it("toNodeHandler fits Vercel's own (req: VercelRequest, res: VercelResponse) signature", () => {
    const app = { fetch: () => new Response("ok") };
    const legacy: (req: VercelRequest, res: VercelResponse) => Promise<void> = toNodeHandler(app);
    const web: (request: Request) => Promise<Response> = handle(app).POST;
    expect([typeof legacy, typeof web]).toEqual(["function", "function"]);
  });
});
