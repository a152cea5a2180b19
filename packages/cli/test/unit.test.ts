/** The CLI's small pure parts: argument values, the log's method names, conditions, result text. */
import { describe, expect, it } from "vitest";
import { resultText } from "../src/client/_result.ts";
import { parseToolArgs } from "../src/commands/_call.ts";
import { describeMessage } from "../src/dev/_request-log.ts";
import { processConditions } from "../src/load/_project.ts";

describe("--arg values", () => {
  it("are JSON when they parse, text otherwise; --arg wins over --json", () => {
    expect(
      parseToolArgs('{"a":1,"b":"x"}', ["b=2", "c=true", "d=null", "e=hello", "f=", "g={bad", "h=a=b"]),
    ).toEqual({ a: 1, b: 2, c: true, d: null, e: "hello", f: "", g: "{bad", h: "a=b" });
  });
});

describe("the request log's MCP names", () => {
  it("names the method and its tool, prompt or resource", () => {
    expect(describeMessage({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add" } })).toBe(
      "tools/call add",
    );
    expect(
      describeMessage({ jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "x://y" } }),
    ).toBe("resources/read x://y");
    expect(describeMessage({ jsonrpc: "2.0", id: 1, method: "tools/list" })).toBe("tools/list");
    expect(describeMessage([{}, {}])).toBe("batch(2)");
    expect(describeMessage({ jsonrpc: "2.0", id: 1, result: {} })).toBe("response");
  });
});

describe("the export conditions handed to esbuild", () => {
  it("come from the process's flags and NODE_OPTIONS", () => {
    expect(processConditions(["--conditions=@portico/source", "-C", "dev"], "--conditions x -C=y")).toEqual([
      "@portico/source",
      "dev",
      "x",
      "y",
    ]);
    expect(processConditions([], "")).toEqual([]);
  });
});

describe("a tool result as text", () => {
  it("joins text blocks, describes the others, falls back to structured content", () => {
    expect(
      resultText({
        content: [
          { type: "text", text: "one" },
          { type: "image", mimeType: "image/png", data: "AAAA" },
          { type: "resource", resource: { uri: "x://a", text: "inline" } },
          { type: "resource_link", uri: "x://b", name: "b" },
        ],
      }),
    ).toBe("one\n[image image/png, 3 bytes]\ninline\n[resource link x://b]");
    expect(resultText({ content: [], structuredContent: { sum: 3 } })).toBe('{\n  "sum": 3\n}');
  });
});
