/**
 * The core's layout shows its design, and stays that way: no file imports a file that imports it
 * back (however far round), the folders form layers (no two folders import each other, however far
 * round), a `_`-prefixed file is private to its folder, and nothing imports `node:` modules.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^"']*?\s+from\s+)?["']([^"']+)["']/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => relative(SRC, path));
const imports = new Map<string, { local: string[]; external: string[] }>(
  files.map((file) => {
    const text = readFileSync(join(SRC, file), "utf8");
    const local: string[] = [];
    const external: string[] = [];
    for (const [, spec] of text.matchAll(IMPORT)) {
      if (spec === undefined) continue;
      if (spec.startsWith(".")) local.push(relative(SRC, resolve(SRC, dirname(file), spec)));
      else external.push(spec);
    }
    return [file, { local, external }];
  }),
);

/** The cycles of a graph, as paths that come back to their start (empty when it is acyclic). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
  return found;
}

const folderOf = (file: string): string => (file.includes("/") ? (file.split("/")[0] as string) : ".");

describe("core layout", () => {
  it("every local import names a file of src", () => {
    for (const [file, { local }] of imports) {
      for (const target of local) expect(files, `${file} imports ${target}`).toContain(target);
    }
  });

  it("has no import cycles between files", () => {
    const graph = new Map([...imports].map(([file, { local }]) => [file, new Set(local)]));
    expect(cycles(graph)).toEqual([]);
  });

  it("its folders form layers: no cycle between folders", () => {
    const graph = new Map<string, Set<string>>();
    for (const [file, { local }] of imports) {
      const from = folderOf(file);
      if (from === ".") continue; // the top files (index, handler, options) sit above every folder
      const edges = graph.get(from) ?? new Set<string>();
      graph.set(from, edges);
      for (const target of local)
        if (folderOf(target) !== from && folderOf(target) !== ".") edges.add(folderOf(target));
    }
    expect(cycles(graph)).toEqual([]);
    // No folder reaches up into the top files.
    for (const [file, { local }] of imports) {
      if (folderOf(file) === ".") continue;
      const up = local.filter((t) => folderOf(t) === "." && t !== "errors.ts");
      expect(up, `${file} imports a top file`).toEqual([]);
    }
  });

  it("keeps `_` files private to their folder", () => {
    for (const [file, { local }] of imports) {
      for (const target of local) {
        const name = target.split("/").pop() as string;
        if (name.startsWith("_")) expect(folderOf(target), `${file} imports ${target}`).toBe(folderOf(file));
      }
    }
  });

  it("imports no node: modules and only its declared packages", () => {
    const allowed = ["@portico/host", "@standard-schema/spec"];
    for (const [file, { external }] of imports) {
      for (const spec of external) expect(allowed, `${file} imports ${spec}`).toContain(spec);
    }
  });

  it("the JSON Schema and URI template libraries import nothing of the protocol", () => {
    for (const [file, { local }] of imports) {
      if (!/^(json-schema|uri-template)\//.test(file)) continue;
      for (const target of local)
        expect(target, `${file} imports ${target}`).toMatch(
          /^(json-schema|uri-template|util)\/|^errors\.ts$/,
        );
    }
  });
});
