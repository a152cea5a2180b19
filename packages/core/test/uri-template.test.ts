import { describe, expect, it } from "vitest";
import type { UriTemplateVariables } from "../src/uri-template/uri-template.ts";
import {
  URI_TEMPLATE_MAX_LENGTH,
  URI_TEMPLATE_MAX_URI_LENGTH,
  UriTemplate,
  UriTemplateError,
} from "../src/uri-template/uri-template.ts";

/** The variables of RFC 6570 section 3.2. */
const vars: UriTemplateVariables = {
  count: ["one", "two", "three"],
  dom: ["example", "com"],
  dub: "me/too",
  hello: "Hello World!",
  half: "50%",
  var: "value",
  who: "fred",
  base: "http://example.com/home/",
  path: "/foo/bar",
  list: ["red", "green", "blue"],
  keys: { semi: ";", dot: ".", comma: "," },
  v: "6",
  x: "1024",
  y: "768",
  empty: "",
  empty_keys: {},
  undef: null,
};

const expand = (template: string): string => UriTemplate.parse(template).expand(vars);

type Table = readonly (readonly [string, string])[];
const table = (name: string, rows: Table): void => {
  describe(name, () => {
    it.each(rows)("%s → %s", (template, expected) => {
      expect(expand(template)).toBe(expected);
    });
  });
};

describe("expand: RFC 6570 section 3.2 examples", () => {
  table("3.2.1 variable expansion", [
    ["{count}", "one,two,three"],
    ["{count*}", "one,two,three"],
    ["{/count}", "/one,two,three"],
    ["{/count*}", "/one/two/three"],
    ["{;count}", ";count=one,two,three"],
    ["{;count*}", ";count=one;count=two;count=three"],
    ["{?count}", "?count=one,two,three"],
    ["{?count*}", "?count=one&count=two&count=three"],
    ["{&count*}", "&count=one&count=two&count=three"],
  ]);
  table("3.2.2 simple string expansion", [
    ["{var}", "value"],
    ["{hello}", "Hello%20World%21"],
    ["{half}", "50%25"],
    ["O{empty}X", "OX"],
    ["O{undef}X", "OX"],
    ["{x,y}", "1024,768"],
    ["{x,hello,y}", "1024,Hello%20World%21,768"],
    ["?{x,empty}", "?1024,"],
    ["?{x,undef}", "?1024"],
    ["?{undef,y}", "?768"],
    ["{var:3}", "val"],
    ["{var:30}", "value"],
    ["{list}", "red,green,blue"],
    ["{list*}", "red,green,blue"],
    ["{keys}", "semi,%3B,dot,.,comma,%2C"],
    ["{keys*}", "semi=%3B,dot=.,comma=%2C"],
  ]);
  table("3.2.3 reserved expansion", [
    ["{+var}", "value"],
    ["{+hello}", "Hello%20World!"],
    ["{+half}", "50%25"],
    ["{base}index", "http%3A%2F%2Fexample.com%2Fhome%2Findex"],
    ["{+base}index", "http://example.com/home/index"],
    ["O{+empty}X", "OX"],
    ["O{+undef}X", "OX"],
    ["{+path}/here", "/foo/bar/here"],
    ["here?ref={+path}", "here?ref=/foo/bar"],
    ["up{+path}{var}/here", "up/foo/barvalue/here"],
    ["{+x,hello,y}", "1024,Hello%20World!,768"],
    ["{+path,x}/here", "/foo/bar,1024/here"],
    ["{+path:6}/here", "/foo/b/here"],
    ["{+list}", "red,green,blue"],
    ["{+list*}", "red,green,blue"],
    ["{+keys}", "semi,;,dot,.,comma,,"],
    ["{+keys*}", "semi=;,dot=.,comma=,"],
  ]);
  table("3.2.4 fragment expansion", [
    ["{#var}", "#value"],
    ["{#hello}", "#Hello%20World!"],
    ["{#half}", "#50%25"],
    ["foo{#empty}", "foo#"],
    ["foo{#undef}", "foo"],
    ["{#x,hello,y}", "#1024,Hello%20World!,768"],
    ["{#path,x}/here", "#/foo/bar,1024/here"],
    ["{#path:6}/here", "#/foo/b/here"],
    ["{#list}", "#red,green,blue"],
    ["{#list*}", "#red,green,blue"],
    ["{#keys}", "#semi,;,dot,.,comma,,"],
    ["{#keys*}", "#semi=;,dot=.,comma=,"],
  ]);
  table("3.2.5 label expansion with dot-prefix", [
    ["{.who}", ".fred"],
    ["{.who,who}", ".fred.fred"],
    ["{.half,who}", ".50%25.fred"],
    ["www{.dom*}", "www.example.com"],
    ["X{.var}", "X.value"],
    ["X{.empty}", "X."],
    ["X{.undef}", "X"],
    ["X{.var:3}", "X.val"],
    ["X{.list}", "X.red,green,blue"],
    ["X{.list*}", "X.red.green.blue"],
    ["X{.keys}", "X.semi,%3B,dot,.,comma,%2C"],
    ["X{.keys*}", "X.semi=%3B.dot=..comma=%2C"],
    ["X{.empty_keys}", "X"],
    ["X{.empty_keys*}", "X"],
  ]);
  table("3.2.6 path segment expansion", [
    ["{/who}", "/fred"],
    ["{/who,who}", "/fred/fred"],
    ["{/half,who}", "/50%25/fred"],
    ["{/who,dub}", "/fred/me%2Ftoo"],
    ["{/var}", "/value"],
    ["{/var,empty}", "/value/"],
    ["{/var,undef}", "/value"],
    ["{/var,x}/here", "/value/1024/here"],
    ["{/var:1,var}", "/v/value"],
    ["{/list}", "/red,green,blue"],
    ["{/list*}", "/red/green/blue"],
    ["{/list*,path:4}", "/red/green/blue/%2Ffoo"],
    ["{/keys}", "/semi,%3B,dot,.,comma,%2C"],
    ["{/keys*}", "/semi=%3B/dot=./comma=%2C"],
  ]);
  table("3.2.7 path-style parameter expansion", [
    ["{;who}", ";who=fred"],
    ["{;half}", ";half=50%25"],
    ["{;empty}", ";empty"],
    ["{;v,empty,who}", ";v=6;empty;who=fred"],
    ["{;v,bar,who}", ";v=6;who=fred"],
    ["{;x,y}", ";x=1024;y=768"],
    ["{;x,y,empty}", ";x=1024;y=768;empty"],
    ["{;x,y,undef}", ";x=1024;y=768"],
    ["{;hello:5}", ";hello=Hello"],
    ["{;list}", ";list=red,green,blue"],
    ["{;list*}", ";list=red;list=green;list=blue"],
    ["{;keys}", ";keys=semi,%3B,dot,.,comma,%2C"],
    ["{;keys*}", ";semi=%3B;dot=.;comma=%2C"],
  ]);
  table("3.2.8 form-style query expansion", [
    ["{?who}", "?who=fred"],
    ["{?half}", "?half=50%25"],
    ["{?x,y}", "?x=1024&y=768"],
    ["{?x,y,empty}", "?x=1024&y=768&empty="],
    ["{?x,y,undef}", "?x=1024&y=768"],
    ["{?var:3}", "?var=val"],
    ["{?list}", "?list=red,green,blue"],
    ["{?list*}", "?list=red&list=green&list=blue"],
    ["{?keys}", "?keys=semi,%3B,dot,.,comma,%2C"],
    ["{?keys*}", "?semi=%3B&dot=.&comma=%2C"],
  ]);
  table("3.2.9 form-style query continuation", [
    ["{&who}", "&who=fred"],
    ["{&half}", "&half=50%25"],
    ["?fixed=yes{&x}", "?fixed=yes&x=1024"],
    ["{&x,y,empty}", "&x=1024&y=768&empty="],
    ["{&var:3}", "&var=val"],
    ["{&list}", "&list=red,green,blue"],
    ["{&list*}", "&list=red&list=green&list=blue"],
    ["{&keys}", "&keys=semi,%3B,dot,.,comma,%2C"],
    ["{&keys*}", "&semi=%3B&dot=.&comma=%2C"],
  ]);
});

describe("expand: encoding and values", () => {
  it("percent-encodes UTF-8, keeping pct-triplets only for reserved operators", () => {
    const t = UriTemplate.parse("{x},{+x},{#x}");
    expect(t.expand({ x: "café 😀 %41" })).toBe(
      "caf%C3%A9%20%F0%9F%98%80%20%2541,caf%C3%A9%20%F0%9F%98%80%20%41,#caf%C3%A9%20%F0%9F%98%80%20%41",
    );
  });

  it("encodes every reserved character in simple expansion and none in reserved expansion", () => {
    const reserved = ":/?#[]@!$&'()*+,;=";
    expect(UriTemplate.parse("{x}").expand({ x: reserved })).toBe(
      "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D",
    );
    expect(UriTemplate.parse("{+x}").expand({ x: reserved })).toBe(reserved);
  });

  it("encodes a lone surrogate as U+FFFD instead of throwing", () => {
    expect(UriTemplate.parse("{x}").expand({ x: "a\uD800b" })).toBe("a%EF%BF%BDb");
  });

  it("refuses a prefix modifier on a list or a map (RFC 6570 §2.4.1), instead of dropping it", () => {
    expect(() => UriTemplate.parse("{list:2}").expand({ list: ["red", "green"] })).toThrowError(
      /\{list:2\} takes a string or number: a prefix does not apply to a list/,
    );
    expect(() => UriTemplate.parse("{?keys:1}").expand({ keys: { a: "1" } })).toThrowError(TypeError);
    expect(UriTemplate.parse("{var:3}").expand({ var: "value" })).toBe("val");
  });

  it("counts the prefix in code points, not UTF-16 units", () => {
    expect(UriTemplate.parse("{x:2}").expand({ x: "😀😀😀" })).toBe("%F0%9F%98%80%F0%9F%98%80");
  });

  it("stringifies numbers and booleans, skips empty lists and missing variables", () => {
    const t = UriTemplate.parse("/items/{id}{?limit,all,tags}");
    expect(t.expand({ id: 42, limit: 10, all: true, tags: [] })).toBe("/items/42?limit=10&all=true");
    expect(t.expand()).toBe("/items/");
  });

  it("encodes characters in literals that may not appear in a URI", () => {
    expect(UriTemplate.parse("file:///my docs/{name}").expand({ name: "a b" })).toBe(
      "file:///my%20docs/a%20b",
    );
  });

  it("ignores inherited properties of the variables object", () => {
    expect(UriTemplate.parse("{constructor}{toString}").expand({})).toBe("");
  });
});

describe("parse", () => {
  it("lists variable names once, in order", () => {
    expect(UriTemplate.parse("{a}/{+b,c*}{?d:3,a}").variableNames).toEqual(["a", "b", "c", "d"]);
    expect(UriTemplate.parse("no/expressions").variableNames).toEqual([]);
    expect(String(UriTemplate.parse("x{y}"))).toBe("x{y}");
  });

  it("accepts dotted and percent-encoded variable names", () => {
    expect(UriTemplate.parse("{a.b,%41_1}").variableNames).toEqual(["a.b", "%41_1"]);
  });

  it.each([
    ["{unclosed", "unclosed expression", 0],
    ["a}b", "'}' without a matching '{'", 1],
    ["{}", "empty expression", 0],
    ["{a{b}}", "'{' inside an expression", 2],
    ["{+}", "no variable", 2],
    ["{=a}", "reserved for future", 1],
    ["{|a}", "reserved for future", 1],
    ["{a,}", "empty variable name", 3],
    ["{a b}", "invalid variable name 'a b'", 1],
    ["{.a}{a..b}", "invalid variable name 'a..b'", 5],
    ["{a:0}", "from 1 to 9999", 3],
    ["{a:10000}", "from 1 to 9999", 3],
    ["{a:x}", "from 1 to 9999", 3],
    ["{a:3*}", "both a prefix and an explode", 1],
    ["{a%zz}", "invalid variable name", 1],
  ])("rejects %j (%s)", (template, message, index) => {
    let error: unknown;
    try {
      UriTemplate.parse(template);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UriTemplateError);
    expect((error as UriTemplateError).message).toContain(message);
    expect((error as UriTemplateError).index).toBe(index);
  });

  it("rejects templates longer than the limit", () => {
    expect(() => UriTemplate.parse("a".repeat(URI_TEMPLATE_MAX_LENGTH + 1))).toThrow(UriTemplateError);
    expect(() => UriTemplate.parse("a".repeat(URI_TEMPLATE_MAX_LENGTH))).not.toThrow();
  });
});

describe("match", () => {
  const match = (template: string, uri: string) => UriTemplate.parse(template).match(uri);

  it("matches the conformance resource template", () => {
    expect(match("test://template/{id}/data", "test://template/123/data")).toEqual({ id: "123" });
  });

  it.each([
    ["test://template/123/data/"],
    ["test://template/123/dat"],
    ["test://template//data"],
    ["test://template/1/2/data"],
    ["test://template/123/data?x=1"],
    ["xtest://template/123/data"],
    ["test://other/123/data"],
  ])("does not match %s against test://template/{id}/data", (uri) => {
    expect(match("test://template/{id}/data", uri)).toBeUndefined();
  });

  it("accepts unencoded sub-delimiters in a simple variable (lenient)", () => {
    expect(match("users/{email}", "users/john@example.com")).toEqual({ email: "john@example.com" });
  });

  it("decodes percent-encoding and rejects malformed escapes", () => {
    expect(match("users/{name}", "users/J%C3%BCrgen%20M%2Fx")).toEqual({ name: "Jürgen M/x" });
    expect(match("users/{name}", "users/bad%zz")).toBeUndefined();
    expect(match("users/{name}", "users/bad%")).toBeUndefined();
  });

  it("round-trips expansion for simple and multi-variable expressions", () => {
    const t = UriTemplate.parse("db://{schema}/{table}.{format}");
    const values = { schema: "pub lic", table: "a.b", format: "json" };
    expect(t.match(t.expand(values))).toEqual({ schema: "pub lic", table: "a.b", format: "json" });
    expect(match("{x,y}", "1024,768")).toEqual({ x: "1024", y: "768" });
    expect(match("{x,hello,y}", "1024,Hello%20World%21,768")).toEqual({
      x: "1024",
      hello: "Hello World!",
      y: "768",
    });
    expect(match("{x,y}", "1,2,3")).toBeUndefined();
  });

  it("lets reserved expansion span slashes", () => {
    expect(match("file:///{+path}", "file:///home/user/a%20b.txt")).toEqual({ path: "home/user/a b.txt" });
    expect(match("{+path}/here", "/foo/bar/here")).toEqual({ path: "/foo/bar" });
    expect(match("up{+path}{var}/here", "up/foo/barvalue/here")).toEqual({ path: "/foo/barvalu", var: "e" });
    expect(match("file:///{+path}", "file:///")).toBeUndefined();
  });

  it("stops reserved expansion at the query when a query expression follows", () => {
    expect(match("file:///{+path}{?rev}", "file:///a/b?rev=2")).toEqual({ path: "a/b", rev: "2" });
    expect(match("file:///{+path}{?rev}", "file:///a/b")).toEqual({ path: "a/b" });
    expect(match("x:{+rest}", "x:a/b?c#d")).toEqual({ rest: "a/b?c#d" });
  });

  it("matches fragments", () => {
    expect(match("doc{#section}", "doc#intro/part")).toEqual({ section: "intro/part" });
    expect(match("doc{#section}", "doc")).toEqual({});
    expect(match("doc{#x,y}", "doc#1024,768")).toEqual({ x: "1024", y: "768" });
  });

  it("matches labels", () => {
    expect(match("file{.ext}", "file.tar.gz")).toEqual({ ext: "tar.gz" });
    expect(match("www{.dom*}", "www.example.com")).toEqual({ dom: ["example", "com"] });
    expect(match("X{.a,b}", "X.1.2")).toEqual({ a: "1", b: "2" });
    expect(match("file{.ext}", "file.a/b")).toBeUndefined();
  });

  it("matches path segments, with exploded segments as an array", () => {
    expect(match("repo://{owner}{/segments*}", "repo://me/a/b%20c/d")).toEqual({
      owner: "me",
      segments: ["a", "b c", "d"],
    });
    expect(match("repo://{owner}{/segments*}", "repo://me")).toEqual({ owner: "me" });
    expect(match("{/who,dub}", "/fred/me%2Ftoo")).toEqual({ who: "fred", dub: "me/too" });
    expect(match("x{/id}", "x/a/b")).toBeUndefined();
    expect(match("{/list*,path:4}", "/red/green/blue/%2Ffoo")).toEqual({
      list: ["red", "green", "blue"],
      path: "/foo",
    });
  });

  it("matches path-style parameters by name", () => {
    expect(match("m{;v,empty,who}", "m;who=fred;v=6;empty")).toEqual({ v: "6", empty: "", who: "fred" });
    expect(match("m{;list*}", "m;list=red;list=green")).toEqual({ list: ["red", "green"] });
  });

  it("matches query parameters in any order, missing or with unknown extras", () => {
    const t = UriTemplate.parse("search://{index}{?q,limit}");
    expect(t.match("search://books?q=a%20b&limit=5")).toEqual({ index: "books", q: "a b", limit: "5" });
    expect(t.match("search://books?limit=5&q=x")).toEqual({ index: "books", limit: "5", q: "x" });
    expect(t.match("search://books?limit=5")).toEqual({ index: "books", limit: "5" });
    expect(t.match("search://books")).toEqual({ index: "books" });
    expect(t.match("search://books?")).toEqual({ index: "books" });
    expect(t.match("search://books?other=1&q=")).toEqual({ index: "books", q: "" });
    expect(t.match("search://books?q=1#frag")).toBeUndefined();
    expect(t.match("search://books#q")).toBeUndefined();
  });

  it("matches a query split across {?a}{&b}, exploded lists and literal queries", () => {
    expect(match("s{?a}{&b}", "s?b=2&a=1")).toEqual({ a: "1", b: "2" });
    expect(match("s{?tag*}", "s?tag=x&tag=y")).toEqual({ tag: ["x", "y"] });
    expect(match("s?fixed=yes{&x}", "s?fixed=yes&x=1024")).toEqual({ x: "1024" });
    expect(match("s?fixed=yes{&x}", "s?fixed=yes")).toEqual({});
  });

  it("enforces prefix lengths and repeated variables", () => {
    expect(match("{var:3}", "val")).toEqual({ var: "val" });
    expect(match("{var:3}", "value")).toBeUndefined();
    expect(match("{a}/{a}", "x/x")).toEqual({ a: "x" });
    expect(match("{a}/{a}", "x/y")).toBeUndefined();
  });

  it("matches literal-only templates exactly", () => {
    expect(match("config://app", "config://app")).toEqual({});
    expect(match("config://app", "config://apps")).toBeUndefined();
  });

  it("keeps dangerous variable names as own data properties", () => {
    const result = match("{__proto__}", "polluted");
    expect(result && Object.hasOwn(result, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("returns undefined for over-long URIs and non-strings", () => {
    const t = UriTemplate.parse("x/{+rest}");
    expect(t.match(`x/${"a".repeat(URI_TEMPLATE_MAX_URI_LENGTH - 2)}`)).toBeDefined();
    expect(t.match(`x/${"a".repeat(URI_TEMPLATE_MAX_URI_LENGTH)}`)).toBeUndefined();
    expect(t.match(42 as unknown as string)).toBeUndefined();
  });

  it("gives up quickly on adversarial input to ambiguous templates", () => {
    const t = UriTemplate.parse(`${Array.from({ length: 40 }, (_, i) => `{v${i}}.`).join("")}{z}!`);
    const uri = ".".repeat(URI_TEMPLATE_MAX_URI_LENGTH - 1);
    expect(t.match(uri)).toBeUndefined();
    const adjacent = UriTemplate.parse("{a}{b}{c}{d}{e}/x");
    expect(adjacent.match(`${"a".repeat(8000)}/y`)).toBeUndefined();
    expect(adjacent.match("abcde/x")).toEqual({ a: "a", b: "b", c: "c", d: "d", e: "e" });
  });
});
