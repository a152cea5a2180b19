/**
 * The light Headers and the buffered Request answer as the platform's do (compared member by member
 * with a real `Headers` / `Request` built from the same input), without being made from them.
 */
import { describe, expect, it } from "vitest";
import {
  bufferedRequest,
  isBufferedRequest,
  LightHeaders,
  readBufferedRequest,
  toRealRequest,
} from "../src/index.ts";

const INPUT: [string, string][] = [
  ["Content-Type", "application/json"],
  ["X-Many", "a"],
  ["x-many", "b"],
  ["Set-Cookie", "a=1"],
  ["set-cookie", "b=2"],
  ["Accept", "  text/event-stream \t"],
];

describe("LightHeaders", () => {
  it("answers get, has, iteration and getSetCookie as Headers does", () => {
    const light = new LightHeaders(INPUT);
    const real = new Headers(INPUT);
    for (const name of ["content-type", "X-MANY", "set-cookie", "accept", "absent"]) {
      expect(light.get(name), name).toBe(real.get(name));
      expect(light.has(name), name).toBe(real.has(name));
    }
    expect([...light]).toStrictEqual([...real]);
    expect([...light.keys()]).toStrictEqual([...real.keys()]);
    expect([...light.values()]).toStrictEqual([...real.values()]);
    expect(light.getSetCookie()).toStrictEqual(real.getSetCookie());
    const seen: string[] = [];
    light.forEach((value, key, parent) => {
      expect(parent).toBe(light);
      seen.push(`${key}=${value}`);
    });
    expect(seen).toHaveLength([...real].length);
  });

  it("changes as Headers does: set replaces, append joins, delete removes, names are case-blind", () => {
    const light = new LightHeaders({ Vary: "Accept" });
    const real = new Headers({ Vary: "Accept" });
    for (const h of [light, real]) {
      h.append("vary", "Origin");
      h.set("X-Id", "1");
      h.set("x-id", "2");
      h.append("set-cookie", "c=3");
      h.delete("SET-COOKIE");
    }
    expect([...light]).toStrictEqual([...real]);
    expect(new LightHeaders(light).toRecord()).toStrictEqual({ vary: "Accept, Origin", "x-id": "2" });
  });

  it("refuses invalid names and values with a TypeError, as Headers does", () => {
    for (const [name, value] of [
      ["bad name", "x"],
      ["", "x"],
      ["x-ok", "line\r\nbreak"],
      ["x-ok", "nul\0"],
    ] as const) {
      expect(() => new Headers([[name, value]])).toThrow(TypeError);
      expect(() => new LightHeaders([[name, value]])).toThrow(TypeError);
    }
  });
});

describe("LightHeaders names and values, character by character", () => {
  /** What the platform's Headers makes of one name and value: the stored pair, or "TypeError". */
  const platform = (name: string, value: string) => {
    try {
      return [...new Headers([[name, value]])];
    } catch (error) {
      return error instanceof TypeError ? "TypeError" : error;
    }
  };
  const light = (name: string, value: string) => {
    try {
      return [...new LightHeaders([[name, value]])];
    } catch (error) {
      return error instanceof TypeError ? "TypeError" : error;
    }
  };

  it("accepts and folds exactly the names Headers does (every character up to U+00FF, in three places)", () => {
    for (let code = 0; code <= 0xff; code++) {
      const c = String.fromCharCode(code);
      for (const name of [c, `x-${c}`, `${c}-Y`]) {
        expect(light(name, "v"), JSON.stringify(name)).toStrictEqual(platform(name, "v"));
      }
    }
    for (const name of ["Content-Type", "MCP-PROTOCOL-VERSION", "mcp-session-id", "X_Y.Z~1"]) {
      expect(light(name, "v"), name).toStrictEqual(platform(name, "v"));
    }
  });

  it("trims and refuses values as Headers does", () => {
    const values = [
      "",
      " ",
      "\t a \t",
      "\r\na",
      "a\r\n",
      "a\nb",
      "a\rb",
      "a\0b",
      " \0",
      "a b",
      "é ü",
      "\u00a0a\u00a0",
    ];
    for (let code = 0; code < 0x20; code++)
      values.push(`a${String.fromCharCode(code)}b`, String.fromCharCode(code));
    for (const value of values)
      expect(light("x", value), JSON.stringify(value)).toStrictEqual(platform("x", value));
  });

  // Header values are byte strings: Headers refuses any character above U+00FF (a lone surrogate
  // too), so a light request or response must not carry one the platform's could not.
  it("keeps internal tabs and obs-text, and refuses characters above U+00FF, as Headers does", () => {
    const values = [
      "a\tb",
      "a \t b",
      "",
      "\u0080",
      "\u00ff",
      "x\u00e9\u00fey",
      "\u0100",
      "a\u20acb",
      "\ud800",
      "\ud83d\ude00",
    ];
    for (let code = 0x80; code <= 0xff; code++) values.push(`a${String.fromCharCode(code)}b`);
    for (const value of values)
      expect(light("x", value), JSON.stringify(value)).toStrictEqual(platform("x", value));
    expect(() => new LightHeaders().append("x", "\u20ac")).toThrow(TypeError);
    expect(() => new LightHeaders().set("x", "\u20ac")).toThrow(TypeError);
  });

  it("joins repeats (empty ones too) and keeps set-cookie apart, as Headers does", () => {
    const steps: [string, string][] = [
      ["X-A", "1"],
      ["x-a", ""],
      ["x-a", "2"],
      ["Set-Cookie", "a=1; Path=/"],
      ["SET-COOKIE", ""],
      ["set-cookie", "b=2, c=3"],
      ["B-Z", "z"],
      // Cookie pairs join with "; " (undici's Headers does so too).
      ["Cookie", "a=1"],
      ["cookie", "b=2"],
    ];
    const lightHeaders = new LightHeaders();
    const realHeaders = new Headers();
    for (const [name, value] of steps) {
      lightHeaders.append(name, value);
      realHeaders.append(name, value);
    }
    expect([...lightHeaders]).toStrictEqual([...realHeaders]);
    expect(lightHeaders.get("set-cookie")).toBe(realHeaders.get("set-cookie"));
    expect(lightHeaders.get("x-a")).toBe(realHeaders.get("x-a"));
    expect(lightHeaders.get("cookie")).toBe("a=1; b=2");
    expect(lightHeaders.getSetCookie()).toStrictEqual(realHeaders.getSetCookie());
  });

  it("refuses a pair that is not a name and a value, as Headers does", () => {
    for (const pair of [["x"], ["x", "v", "w"]]) {
      expect(() => new Headers([pair as [string, string]])).toThrow(TypeError);
      expect(() => new LightHeaders([pair as unknown as [string, string]])).toThrow(TypeError);
    }
  });
});

describe("bufferedRequest", () => {
  const init = () => ({
    method: "POST",
    url: "https://api.example.com/mcp?x=1",
    headers: { "content-type": "application/json", "x-trace": "t" },
    body: '{"jsonrpc":"2.0"}',
  });

  it("answers method, url, headers and the body as text, JSON or bytes, once", async () => {
    const request = bufferedRequest(init());
    expect(request).not.toBeInstanceOf(Request);
    expect(isBufferedRequest(request)).toBe(true);
    expect(Object.prototype.toString.call(request)).toBe("[object Request]");
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://api.example.com/mcp?x=1");
    expect(request.headers.get("X-Trace")).toBe("t");
    expect(request.signal.aborted).toBe(false);
    expect(request.bodyUsed).toBe(false);
    expect(await request.json()).toStrictEqual({ jsonrpc: "2.0" });
    expect(request.bodyUsed).toBe(true);
    await expect(request.text()).rejects.toThrow(TypeError);
    expect(new TextDecoder().decode(await bufferedRequest(init()).bytes())).toBe('{"jsonrpc":"2.0"}');
    const bytes = bufferedRequest({ ...init(), body: new TextEncoder().encode("é") });
    expect(await bytes.text()).toBe("é");
  });

  it("hands the core its body without a stream, once, and only while nothing else read it", async () => {
    const request = bufferedRequest(init());
    expect(readBufferedRequest(request)).toStrictEqual({ body: '{"jsonrpc":"2.0"}' });
    expect(readBufferedRequest(request)).toBeUndefined();
    expect(readBufferedRequest(new Request("http://x/", { method: "POST", body: "b" }))).toBeUndefined();
    const streamed = bufferedRequest(init());
    void streamed.body;
    expect(readBufferedRequest(streamed)).toBeUndefined();
  });

  it("becomes a real Request for the members only one has, with the same headers, body and signal", async () => {
    const controller = new AbortController();
    const request = bufferedRequest({ ...init(), signal: controller.signal });
    expect(request.mode).toBe(new Request("https://api.example.com/").mode);
    const reader = request.body?.getReader();
    const chunk = await reader?.read();
    expect(new TextDecoder().decode(chunk?.value)).toBe('{"jsonrpc":"2.0"}');
    // The real one's headers are a `Headers`; the buffered one's stay a view of them.
    expect(toRealRequest(request).headers).toBeInstanceOf(Headers);
    expect(toRealRequest(request).headers.get("x-trace")).toBe("t");
    expect(request.headers.get("x-trace")).toBe("t");
    controller.abort();
    expect(request.signal.aborted).toBe(true);
  });

  it("clones into an independent buffered request, and GET bodies are dropped as Request drops them", async () => {
    const request = bufferedRequest(init());
    const copy = request.clone();
    expect(isBufferedRequest(copy)).toBe(true);
    copy.headers.set("x-trace", "changed");
    expect(request.headers.get("x-trace")).toBe("t");
    expect(await copy.text()).toBe(await request.text());
    const get = bufferedRequest({ method: "GET", url: "https://a.example/", headers: {}, body: null });
    expect(await get.text()).toBe("");
    expect(get.cache).toBe("default");
  });
});
