import { describe, expect, it } from "vitest";
import { jsonLogLines, requestLine } from "../src/index.ts";

const OUTPUT = [
  "⎔ Starting local server...",
  '{"level":"info","msg":"mcp request","method":"tools/call","hostRequestId":"a"}',
  '2026-12-07T11:35:31.912Z\tb\tERROR\t{"level":"error","msg":"unhandled error","hostRequestId":"b"}',
  "",
  '{"truncated": ',
  "[1,2,3]",
  '  {"level":"info","msg":"mcp request","method":"initialize","hostRequestId":"c"}  ',
  '{"_aws":{"Timestamp":1},"Requests":1,"hostRequestId":"a"}',
].join("\n");

describe("jsonLogLines", () => {
  it("reads each line's JSON object, after any prefix, and skips everything else", () => {
    expect(jsonLogLines(OUTPUT).map((line) => [line.msg ?? "emf", line.hostRequestId])).toEqual([
      ["mcp request", "a"],
      ["unhandled error", "b"],
      ["mcp request", "c"],
      ["emf", "a"],
    ]);
  });

  it("finds the request line of a host request id, not its other lines", () => {
    expect(requestLine(OUTPUT, "a")).toMatchObject({ method: "tools/call" });
    expect(requestLine(OUTPUT, "c")).toMatchObject({ method: "initialize" });
    expect(requestLine(OUTPUT, "b")).toBeUndefined();
    expect(requestLine("", "a")).toBeUndefined();
  });
});
