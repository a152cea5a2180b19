/**
 * LightHeaders changed while being iterated: as with `Headers`, each step lists the pairs afresh
 * and goes on at the same index, so a name deleted meanwhile is not met (never with an undefined
 * value), a value set meanwhile is met as it now is.
 */
import { describe, expect, it } from "vitest";
import { LightHeaders } from "../src/index.ts";

const INPUT: [string, string][] = [
  ["x-a", "1"],
  ["x-b", "2"],
  ["set-cookie", "c=1"],
  ["set-cookie", "d=2"],
  ["x-c", "3"],
];

/** The pairs met iterating `headers`, calling `change` once, on meeting `x-a`. */
function walk(headers: Headers, change: (headers: Headers) => void): string[] {
  const met: string[] = [];
  for (const [name, value] of headers) {
    met.push(`${name}=${value}`);
    if (name === "x-a") change(headers);
  }
  return met;
}

describe("LightHeaders changed while iterated", () => {
  it.each([
    ["a later name deleted", (h: Headers) => h.delete("x-b")],
    ["the current name deleted", (h: Headers) => h.delete("x-a")],
    ["set-cookie deleted", (h: Headers) => h.delete("set-cookie")],
    ["a later value set", (h: Headers) => h.set("x-c", "9")],
    ["a name added after", (h: Headers) => h.append("x-z", "z")],
    ["a name added before", (h: Headers) => h.set("a-0", "0")],
  ])("meets the pairs Headers meets: %s", (_, change) => {
    expect(walk(new LightHeaders(INPUT), change)).toStrictEqual(walk(new Headers(INPUT), change));
  });

  it("never meets a deleted name, in keys(), values() or forEach either", () => {
    const headers = new LightHeaders({ "x-a": "1", "x-b": "2", "x-c": "3" });
    const keys: string[] = [];
    for (const key of headers.keys()) {
      keys.push(key);
      if (key === "x-a") headers.delete("x-b");
    }
    expect(keys).toStrictEqual(["x-a", "x-c"]);
    headers.set("x-b", "2");
    const values: string[] = [];
    for (const value of headers.values()) {
      values.push(value);
      if (value === "1") headers.delete("x-b");
    }
    expect(values).toStrictEqual(["1", "3"]);
    headers.set("x-b", "2");
    const seen: string[] = [];
    headers.forEach((value, key) => {
      seen.push(`${key}=${value}`);
      if (key === "x-a") headers.delete("x-b");
    });
    expect(seen).toStrictEqual(["x-a=1", "x-c=3"]);
  });
});
