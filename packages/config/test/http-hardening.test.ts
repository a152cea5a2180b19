/** What a client's arguments and the API's answers must not be able to do to an HTTP tool's request. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDefinitions } from "../src/index.ts";
import { modern, type TestApi, testApi, testHandler } from "./_helpers.ts";

let api: TestApi;
let other: TestApi;
beforeAll(async () => {
  other = await testApi();
  api = await testApi((seen, res) => {
    if (seen.url === "/away") {
      res.writeHead(302, { location: `${other.base}/stolen` });
      return void res.end();
    }
    if (seen.url === "/moved") {
      res.writeHead(303, { location: "/items/here" });
      return void res.end();
    }
    if (seen.url === "/big") {
      res.writeHead(200, { "content-type": "text/plain" });
      return void res.end("x".repeat(5_000));
    }
    if (seen.url === "/endless") {
      // Writes until the client goes away: only a size bound ends the call before its timeout.
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = "y".repeat(64 * 1024);
      const write = () => {
        if (!res.destroyed) res.write(chunk, () => setImmediate(write));
      };
      return void write();
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ method: seen.method, url: seen.url, key: seen.headers["x-api-key"] ?? null }));
  });
});
afterAll(async () => {
  await api.close();
  await other.close();
});

const input = { type: "object", properties: { id: { type: "string" } } };

function handlerWith(tools: unknown[], options: Parameters<typeof loadDefinitions>[2] = {}) {
  const { server, handler } = testHandler();
  loadDefinitions(server, { tools }, options);
  return handler;
}

const call = async (handler: ReturnType<typeof handlerWith>, name: string, args: Record<string, unknown>) =>
  (await modern(handler, "tools/call", { name, arguments: args })).result;

describe("HTTP tool hardening", () => {
  it("an argument of dots cannot climb out of the URL's path", async () => {
    // `..` is left alone by percent-encoding, and the URL parser resolves it: /items/../details
    // would reach /details, a path the tool was never meant to call.
    const handler = handlerWith([
      { name: "get", input, http: { method: "GET", url: `${api.base}/items/{id}/details` } },
    ]);
    const before = api.seen.length;
    for (const id of ["..", "."]) {
      const result = await call(handler, "get", { id });
      expect(result.isError).toBe(true);
      expect(result.content[0].text).toBe('Tool "get": an argument cannot be sent in this request');
    }
    expect(api.seen.length).toBe(before);
    const fine = await call(handler, "get", { id: "a..b" });
    expect(fine.structuredContent.url).toBe("/items/a..b/details");
  });

  it("does not follow a redirect to another origin with the tool's secret headers", async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the file format's ${ENV} placeholder, not a template
    const headers = { "x-api-key": "${KEY}" };
    const tools = [
      { name: "away", http: { method: "GET", url: `${api.base}/away`, headers } },
      { name: "moved", http: { method: "POST", url: `${api.base}/moved`, headers } },
    ];
    const handler = handlerWith(tools, { env: { KEY: "s3cret-key" } });
    const away = await call(handler, "away", {});
    expect(away.isError).toBe(true);
    expect(away.content[0].text).toBe('Tool "away": the API redirected to another origin');
    expect(other.seen).toEqual([]);
    // Within the origin a redirect is still followed (a 303 turns the POST into a GET).
    const moved = await call(handler, "moved", {});
    expect(moved.structuredContent).toEqual({ method: "GET", url: "/items/here", key: "s3cret-key" });
  });

  it("an answer larger than maxResponseBytes is an error result, and reading stops there", async () => {
    const handler = handlerWith(
      [
        { name: "big", http: { method: "GET", url: `${api.base}/big` } },
        { name: "endless", http: { method: "GET", url: `${api.base}/endless`, timeoutMs: 3_000 } },
        { name: "small", input, http: { method: "GET", url: `${api.base}/items/{id}` } },
      ],
      { maxResponseBytes: 1_000 },
    );
    expect((await call(handler, "big", {})).content[0].text).toBe(
      'Tool "big": the answer is larger than 1000 bytes',
    );
    const started = Date.now();
    expect((await call(handler, "endless", {})).content[0].text).toBe(
      'Tool "endless": the answer is larger than 1000 bytes',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await call(handler, "small", { id: "1" })).structuredContent.url).toBe("/items/1");
  });

  it("honours a long timeoutMs instead of timing out at once", async () => {
    // Node fires a timer longer than 2^31 - 1 ms after 1 ms, so such a value is refused up front.
    expect(() =>
      handlerWith([{ name: "t", http: { method: "GET", url: `${api.base}/`, timeoutMs: 3_000_000_000 } }]),
    ).toThrow("tools[0].http.timeoutMs: must be a positive integer of at most 2147483647");
    const handler = handlerWith([
      { name: "t", input, http: { method: "GET", url: `${api.base}/items/{id}`, timeoutMs: 2_147_483_647 } },
    ]);
    expect((await call(handler, "t", { id: "2" })).structuredContent.url).toBe("/items/2");
  });
});
