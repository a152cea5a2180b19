/**
 * `Mcp-*` header values: plain text, or `=?base64?…?=` around UTF-8. "These markers are
 * case-sensitive and MUST appear exactly as shown (lowercase)" (2026-07-28, Streamable HTTP, Value
 * Encoding): `=?BASE64?…?=` is a plain value, compared with the body as it is.
 */
import { describe, expect, it } from "vitest";
import { decodeHeaderValue } from "../src/util/encoding.ts";

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
