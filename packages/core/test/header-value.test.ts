/**
 * `Mcp-*` header values: plain text, or `=?base64?…?=` around UTF-8 (the wrapper's name in any
 * case). Plain values skip the expression (a quick prefix check first): same answers.
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

  it("decodes the base64 wrapper, its name in any case, around outer whitespace", () => {
    for (const name of ["base64", "BASE64", "Base64", "bAsE64"]) {
      expect(decodeHeaderValue(`=?${name}?${b64("日本語")}?=`)).toBe("日本語");
      expect(decodeHeaderValue(`  =?${name}?${b64("café")}?=  `)).toBe("café");
    }
    expect(decodeHeaderValue("=?base64??=")).toBe("");
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
