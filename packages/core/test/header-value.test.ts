/**
 * `Mcp-*` header values: plain text, or `=?base64?…?=` around UTF-8. "These markers are
 * case-sensitive and MUST appear exactly as shown (lowercase)" (2026-07-28, Streamable HTTP, Value
 * Encoding): `=?BASE64?…?=` is a plain value, compared with the body as it is.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, jsonSchema, McpServer } from "../src/index.ts";
import { decodeHeaderValue } from "../src/util/encoding.ts";
import { modern } from "./_client.ts";

const b64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

describe("decodeHeaderValue", () => {
  it("passes plain values through, trimmed", () => {
    expect(decodeHeaderValue("add")).toBe("add");
    expect(decodeHeaderValue("  get_weather \t")).toBe("get_weather");
    expect(decodeHeaderValue("=")).toBe("=");
    expect(decodeHeaderValue("=?")).toBe("=?");
    expect(decodeHeaderValue("=?utf-8?q?x?=")).toBe("=?utf-8?q?x?=");
    expect(decodeHeaderValue("")).toBe("");
  });

  it("decodes the base64 wrapper around outer whitespace", () => {
    expect(decodeHeaderValue(`=?base64?${b64("日本語")}?=`)).toBe("日本語");
    expect(decodeHeaderValue(`  =?base64?${b64("café")}?=  `)).toBe("café");
    expect(decodeHeaderValue("=?base64??=")).toBe("");
    expect(decodeHeaderValue(`=?base64?${b64("=?base64?literal?=")}?=`)).toBe("=?base64?literal?=");
  });

  it("takes markers in another case as plain text (they are case-sensitive)", () => {
    for (const name of ["BASE64", "Base64", "bAsE64"]) {
      const literal = `=?${name}?${b64("日本語")}?=`;
      expect(decodeHeaderValue(literal)).toBe(literal);
    }
  });

  it("refuses a malformed wrapper: bad length, or bytes that are not UTF-8", () => {
    expect(decodeHeaderValue("=?base64?abc?=")).toBeUndefined();
    expect(decodeHeaderValue(`=?base64?${btoa("\xff\xfe")}?=`)).toBeUndefined();
  });

  it("takes a value that is not the wrapper as plain text", () => {
    expect(decodeHeaderValue("=?base64?not base64?=")).toBe("=?base64?not base64?=");
    expect(decodeHeaderValue("x=?base64?SGk=?=")).toBe("x=?base64?SGk=?=");
  });
});

describe("decodeHeaderValue: characters", () => {
  it("refuses a plain value with a byte above 0x7E (unencoded UTF-8) or a control character", () => {
    expect(decodeHeaderValue("caf\xe9")).toBeUndefined();
    expect(decodeHeaderValue("Z\xfcrich")).toBeUndefined();
    expect(decodeHeaderValue("a\x01b")).toBeUndefined();
    expect(decodeHeaderValue("a\x7fb")).toBeUndefined();
    expect(decodeHeaderValue("a\tb c~")).toBe("a\tb c~");
  });

  it("keeps a leading byte-order mark of a base64 value (it is not the body's name)", () => {
    expect(decodeHeaderValue(`=?base64?${b64("\uFEFFadd")}?=`)).toBe("\uFEFFadd");
  });
});

describe("Mcp-Param headers of numbers", () => {
  it("compares a number by value (42.0 names 42), and still refuses another number or text", async () => {
    const server = new McpServer({ name: "n", version: "1" });
    const input = jsonSchema({
      type: "object",
      properties: { count: { type: "integer", "x-mcp-header": "Count" } },
    });
    addTool(server, "count", { input }, (args) => `count=${(args as { count: number }).count}`);
    const handler = createHandler(server);
    const call = (header: string) =>
      modern(
        handler,
        "tools/call",
        { name: "count", arguments: { count: 42 } },
        { headers: { "mcp-param-count": header } },
      );
    for (const same of ["42", "42.0", "4.2e1", "+42"]) expect((await call(same)).status, same).toBe(200);
    for (const other of ["43", "42.5", "forty-two", "0x2a", ""])
      expect((await call(other)).status, other).toBe(400);
  });
});
