import { describe, expect, it } from "vitest";
import { type StoreKey, storeKeyText } from "../src/index.ts";

describe("storeKeyText", () => {
  it("keeps the names the core's keys always had", () => {
    expect(storeKeyText({ kind: "session", session: "abc" })).toBe("portico:session:abc");
    expect(storeKeyText({ kind: "reply", session: "abc", id: '"s-1"' })).toBe('portico:reply:abc:"s-1"');
    expect(storeKeyText({ kind: "broadcast" })).toBe("portico:broadcast");
  });

  it("gives different keys different texts, whatever their parts contain", () => {
    const keys: StoreKey[] = [
      { kind: "k" },
      { kind: "k", id: "x" },
      { kind: "k", session: "x" },
      { kind: "k", session: "" },
      { kind: "k", session: "", id: "1" },
      { kind: "k", session: "a:b" },
      { kind: "k", session: "a", id: "b" },
      { kind: "k", session: "a", id: "b:c" },
      { kind: "k", session: "a:b", id: "c" },
      { kind: "k:a" },
      { kind: "k", session: "a" },
      { kind: "k", session: "%" },
      { kind: "k", id: "%" },
      { kind: "k", session: "%3A" },
      { kind: "k", session: ":" },
    ];
    const texts = keys.map(storeKeyText);
    expect(new Set(texts).size).toBe(keys.length);
  });
});
