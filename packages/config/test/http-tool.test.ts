import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDefinitions } from "../src/index.ts";
import { modern, type TestApi, testApi, testHandler } from "./_helpers.ts";

let api: TestApi;
let slow: TestApi;
beforeAll(async () => {
  api = await testApi((seen, res) => {
    if (seen.url.startsWith("/fail")) {
      res.writeHead(503, { "content-type": "text/plain" });
      return void res.end(`down: ${"x".repeat(2_000)}`);
    }
    if (seen.url.startsWith("/list")) {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end("[1,2,3]");
    }
    if (seen.url.startsWith("/text")) {
      res.writeHead(200, { "content-type": "text/plain" });
      return void res.end("plain words");
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        method: seen.method,
        url: seen.url,
        body: seen.body === "" ? null : JSON.parse(seen.body),
      }),
    );
  });
  slow = await testApi((_seen, res) => void setTimeout(() => res.end("{}"), 2_000));
});
afterAll(async () => {
  await api.close();
  await slow.close();
});

const input = {
  type: "object",
  properties: {
    id: { type: "string" },
    q: { type: "string" },
    tags: { type: "array" },
    note: { type: "string" },
  },
};

function handlerWith(tools: unknown[], env: Record<string, string> = {}) {
  const { server, handler } = testHandler();
  loadDefinitions(server, { tools }, { env });
  return handler;
}

const call = async (handler: ReturnType<typeof handlerWith>, name: string, args: Record<string, unknown>) =>
  (await modern(handler, "tools/call", { name, arguments: args })).result;

describe("HTTP tools", () => {
  it("fills and percent-encodes the URL, sends query arguments, returns JSON as structuredContent", async () => {
    const handler = handlerWith([
      { name: "get", input, http: { method: "GET", url: `${api.base}/items/{id}`, query: ["q", "tags"] } },
    ]);
    const result = await call(handler, "get", { id: "a/b c?", q: "x&y", tags: ["t1", "t2"] });
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toEqual({
      method: "GET",
      url: "/items/a%2Fb%20c%3F?q=x%26y&tags=t1&tags=t2",
      body: null,
    });
    expect(JSON.parse(result.content[0].text)).toEqual(result.structuredContent);
  });

  it("sends a JSON body of all or of the named arguments, and headers from arguments and env", async () => {
    const handler = handlerWith(
      [
        {
          name: "create",
          input,
          http: {
            method: "POST",
            url: `${api.base}/items`,
            body: "arguments",
            // biome-ignore lint/suspicious/noTemplateCurlyInString: the file format's ${ENV} placeholder, not a template
            headers: { authorization: "Bearer ${API_TOKEN}", "x-note": "note={note}" },
          },
        },
        { name: "patch", input, http: { method: "PATCH", url: `${api.base}/items/{id}`, body: ["note"] } },
      ],
      { API_TOKEN: "t0ken" },
    );
    const created = await call(handler, "create", { id: "1", note: "hi" });
    expect(created.structuredContent.body).toEqual({ id: "1", note: "hi" });
    const seen = api.seen.at(-1);
    expect(seen?.headers.authorization).toBe("Bearer t0ken");
    expect(seen?.headers["x-note"]).toBe("note=hi");
    expect(seen?.headers["content-type"]).toBe("application/json");
    const patched = await call(handler, "patch", { id: "7", note: "n", q: "left out" });
    expect(patched.structuredContent).toEqual({ method: "PATCH", url: "/items/7", body: { note: "n" } });
  });

  it("wraps non-object JSON in { result } and passes text through", async () => {
    const handler = handlerWith([
      { name: "list", http: { method: "GET", url: `${api.base}/list` } },
      { name: "text", http: { method: "GET", url: `${api.base}/text` } },
    ]);
    expect((await call(handler, "list", {})).structuredContent).toEqual({ result: [1, 2, 3] });
    const text = await call(handler, "text", {});
    expect(text.content).toEqual([{ type: "text", text: "plain words" }]);
    expect(text.structuredContent).toBeUndefined();
  });

  it("answers a non-2xx status as an error result with a bounded excerpt", async () => {
    const handler = handlerWith([{ name: "fail", http: { method: "DELETE", url: `${api.base}/fail` } }]);
    const result = await call(handler, "fail", {});
    expect(result.isError).toBe(true);
    const text = result.content[0].text as string;
    expect(text).toMatch(/^Tool "fail": HTTP 503 Service Unavailable: down: x+…$/);
    expect(text.length).toBeLessThan(560);
  });

  it("reports a missing URL argument, a timeout and an unreachable host as error results", async () => {
    const handler = handlerWith([
      { name: "get", input, http: { method: "GET", url: `${api.base}/items/{id}` } },
      { name: "slow", http: { method: "GET", url: slow.base, timeoutMs: 100 } },
      { name: "gone", http: { method: "GET", url: "http://127.0.0.1:1/" } },
    ]);
    expect((await call(handler, "get", {})).content[0].text).toBe('Tool "get": missing argument "id"');
    expect((await call(handler, "slow", {})).content[0].text).toBe('Tool "slow": no answer within 100 ms');
    expect((await call(handler, "gone", {})).content[0].text).toMatch(
      /^Tool "gone": the API could not be reached$/,
    );
  });

  it("uses the fetch option", async () => {
    const { server, handler } = testHandler();
    const urls: string[] = [];
    loadDefinitions(
      server,
      { tools: [{ name: "f", http: { method: "GET", url: "https://api.invalid/x" } }] },
      {
        fetch: async (url) => {
          urls.push(String(url));
          return Response.json({ ok: true });
        },
      },
    );
    expect((await call(handler, "f", {})).structuredContent).toEqual({ ok: true });
    expect(urls).toEqual(["https://api.invalid/x"]);
  });
});
