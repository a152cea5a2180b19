/**
 * The two checks every cold start runs, written without the `i` flag (its first use in a process
 * costs ~0.1 ms): they answer exactly as the case-insensitive expressions they replaced.
 */
import { describe, expect, it } from "vitest";
import { isTextType } from "../src/_body.ts";
import { domainNameOf } from "../src/_strategy.ts";

/** The rule as a case-insensitive expression: `text/*`, an `application/` text type, or any type's `+json`/`+xml`… suffix. */
const OLD_TEXT =
  /^(text\/|application\/(?:json|xml|javascript|x-www-form-urlencoded|graphql)\b|[^/]+\/[\w.+-]*\+(?:json|xml|javascript|x-www-form-urlencoded|graphql)\b)/i;
const oldDomain = (name: string) =>
  /^[a-z0-9.-]+(?::\d{1,5})?$/i.test(name) || /^\[[0-9a-f:.]+\](?::\d{1,5})?$/i.test(name);

/** Every casing of `text` (up to 2^12 of them). */
function casings(text: string): string[] {
  let out = [""];
  for (const c of text.slice(0, 12)) {
    const variants = c.toLowerCase() === c.toUpperCase() ? [c] : [c.toLowerCase(), c.toUpperCase()];
    out = out.flatMap((prefix) => variants.map((v) => prefix + v));
  }
  return out.map((prefix) => prefix + text.slice(12));
}

describe("isTextType", () => {
  const types = [
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    "text/event-stream",
    "TEXT/HTML",
    "application/problem+json",
    "application/vnd.API+JSON",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/graphql",
    "application/jsonp",
    "application/json5",
    "application/json-seq",
    "application/json_x",
    "application/jsonx",
    "application/xmlfoo",
    "application/a.b-c+json",
    "application/a b+json",
    "application/+json",
    "application/+",
    "application/x+y+xml",
    "application/x+jsonx+json",
    "application/x+jsonx",
    "application/graphql-response+json",
    "application/vnd.a+json;q=1",
    "application/",
    "application",
    "text/",
    "text",
    "application/octet-stream",
    "image/png",
    "image/svg+xml",
    "image/svg+xml; charset=utf-8",
    "model/x3d+xml",
    "a b/x+json",
    "/x+json",
    "x/+json",
    "image/svg+xmlx",
    "image/svg",
    "  application/json  ",
    "application/Ⅹml",
    "applicatıon/json",
    "",
  ];

  it("answers as the case-insensitive expression did, in every casing", () => {
    for (const type of types) {
      for (const variant of casings(type)) {
        expect(isTextType(variant), variant).toBe(OLD_TEXT.test(variant.trim()));
      }
    }
    expect(isTextType(null)).toBe(false);
  });

  it("also for every Latin-1 character after the type", () => {
    for (let c = 0; c < 256; c++) {
      for (const base of ["application/json", "TEXT/", "application/x+XML"]) {
        const type = base + String.fromCharCode(c);
        expect(isTextType(type), JSON.stringify(type)).toBe(OLD_TEXT.test(type.trim()));
      }
    }
  });
});

describe("domainNameOf", () => {
  const names = [
    "abc123.execute-api.us-east-1.amazonaws.com",
    "ABC123.Execute-API.us-east-1.AmazonAWS.com",
    "example.com:443",
    "[2001:DB8::1]",
    "[2001:db8::1]:8443",
    "[::FFFF:127.0.0.1]",
    "host name",
    "host/path",
    "example.com:123456",
    "[g::1]",
    "ünïcode.example",
  ];

  it("takes what the case-insensitive expressions took, and nothing else", () => {
    for (const name of names) {
      for (const variant of casings(name)) {
        const expected = oldDomain(variant) ? variant : undefined;
        expect(domainNameOf({ domainName: variant }), variant).toBe(expected);
      }
    }
  });

  it("also for every Latin-1 character in a name", () => {
    for (let c = 0; c < 256; c++) {
      const ch = String.fromCharCode(c);
      for (const name of [`a${ch}b.com`, `[${ch}::1]`, `host:${ch}80`]) {
        expect(domainNameOf({ domainName: name }), JSON.stringify(name)).toBe(
          oldDomain(name) ? name : undefined,
        );
      }
    }
  });

  it("ignores what is not a plain name", () => {
    for (const value of [undefined, "", 42, "x".repeat(256)]) {
      expect(domainNameOf({ domainName: value })).toBeUndefined();
    }
    expect(domainNameOf(undefined)).toBeUndefined();
  });
});
