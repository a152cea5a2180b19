import { createHash, randomBytes } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { toNodeHandler, toRequest, writeResponse } from "../src/index.ts";
import { deferred, listen, rawRequest, stopAll } from "./_helpers.ts";

afterEach(stopAll);

/** An app that answers with what it saw. */
const echo = {
  async fetch(request: Request): Promise<Response> {
    return Response.json({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      cookies: request.headers.getSetCookie(),
      body: request.body === null ? null : await request.text(),
    });
  },
};

describe("toRequest", () => {
  it("carries method, path, query, headers and body", async () => {
    const { url } = await listen(toNodeHandler(echo));
    const res = await fetch(`${url}/mcp/x?a=1&b=two%20words`, {
      method: "PUT",
      headers: { "x-custom": "yes", "content-type": "text/plain; charset=utf-8" },
      body: "héllo wörld",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      method: "PUT",
      url: `${url}/mcp/x?a=1&b=two%20words`,
      headers: { "x-custom": "yes", "content-type": "text/plain; charset=utf-8" },
      body: "héllo wörld",
    });
  });

  it("gives GET and body-less POST requests a null body", async () => {
    const { url } = await listen(toNodeHandler(echo));
    expect(await (await fetch(`${url}/`)).json()).toMatchObject({ method: "GET", body: null });
    expect(await (await fetch(`${url}/`, { method: "POST" })).json()).toMatchObject({ body: null });
  });

  it("keeps repeated header fields: joined with commas, cookies with semicolons, set-cookie apart", async () => {
    const { url } = await listen(toNodeHandler(echo));
    const raw = await rawRequest(
      url,
      "GET /h HTTP/1.1\r\nHost: example.test\r\nX-Multi: a\r\nX-Multi: b\r\nCookie: a=1\r\nCookie: b=2\r\n" +
        "Set-Cookie: s=1\r\nSet-Cookie: t=2\r\nConnection: close\r\n\r\n",
    );
    const seen = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4));
    expect(seen.url).toBe("http://example.test/h");
    expect(seen.headers["x-multi"]).toBe("a, b");
    expect(seen.headers.cookie).toBe("a=1; b=2");
    expect(seen.cookies).toEqual(["s=1", "t=2"]);
  });

  it("takes the origin from Host, from X-Forwarded-* only with trustProxy, and from `origin` above all", async () => {
    const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "public.example, inner.example" };
    const plain = await listen(toNodeHandler(echo));
    const trusting = await listen(toNodeHandler(echo, { trustProxy: true }));
    const fixed = await listen(
      toNodeHandler(echo, { origin: "https://api.example/ignored", trustProxy: true }),
    );

    const urlOf = async (base: string) =>
      ((await (await fetch(`${base}/p?q=1`, { headers: forwarded })).json()) as { url: string }).url;
    expect(await urlOf(plain.url)).toBe(`${plain.url}/p?q=1`);
    // The last entry is the one the trusted proxy wrote (as for X-Forwarded-For): the ones before
    // it came with the request.
    expect(await urlOf(trusting.url)).toBe("https://inner.example/p?q=1");
    expect(await urlOf(fixed.url)).toBe("https://api.example/p?q=1");

    // toRequest() used on its own normalises a configured origin too.
    const direct = await listen(async (req, res) => {
      const request = toRequest(req, { origin: "HTTPS://API.Example:443/ignored" });
      await writeResponse(Response.json({ url: request.url }), res);
    });
    expect(await urlOf(direct.url)).toBe("https://api.example/p?q=1");
  });

  it("with trustProxy, a client's own X-Forwarded-Host/-Proto before the proxy's do not count", async () => {
    // A proxy that appends: the client sent "localhost", the proxy appended the Host it saw. Taking
    // the first would let any client choose the origin the app sees in request.url.
    const trusting = await listen(toNodeHandler(echo, { trustProxy: true }));
    const raw = await rawRequest(
      trusting.url,
      "GET /p HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Host: localhost\r\nX-Forwarded-Host: evil.example\r\n" +
        "X-Forwarded-Proto: https, http\r\nConnection: close\r\n\r\n",
    );
    expect(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)).url).toBe("http://evil.example/p");
  });

  it("keeps a path that looks like an authority a path", async () => {
    const { url } = await listen(toNodeHandler(echo));
    const raw = await rawRequest(
      url,
      "GET //evil.example/x HTTP/1.1\r\nHost: good.test\r\nConnection: close\r\n\r\n",
    );
    expect(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)).url).toBe("http://good.test//evil.example/x");
  });

  it("answers 400 when the Host cannot form a URL, or the method is one Fetch forbids", async () => {
    const { url } = await listen(toNodeHandler(echo));
    for (const head of [
      "GET / HTTP/1.1\r\nHost: a@b.test/x\r\nConnection: close\r\n\r\n",
      "TRACE / HTTP/1.1\r\nHost: ok.test\r\nConnection: close\r\n\r\n",
    ]) {
      const raw = await rawRequest(url, head);
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4))).toMatchObject({ error: { code: -32600 } });
    }
  });

  it("streams the body: the app reads the first chunk while the client is still sending", async () => {
    const firstSeen = deferred<string>();
    const { url } = await listen(async (req, res) => {
      const request = toRequest(req, { res });
      const reader = request.body!.pipeThrough(new TextDecoderStream()).getReader();
      const first = await reader.read();
      firstSeen.resolve(first.value ?? "");
      let rest = "";
      for (let r = await reader.read(); !r.done; r = await reader.read()) rest += r.value;
      await writeResponse(new Response(`${first.value}|${rest}`), res);
    });

    const client = httpRequest(`${url}/upload`, { method: "POST" });
    const response = new Promise<string>((resolve, reject) => {
      client.on("response", (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve(text));
      });
      client.on("error", reject);
    });
    client.write("first");
    // The rest is only sent once the app has seen the first chunk: a buffering adapter would deadlock.
    expect(await firstSeen.promise).toBe("first");
    client.end("second");
    expect(await response).toBe("first|second");
  });

  it("delivers a 5 MB streamed body intact", async () => {
    const chunks = Array.from({ length: 80 }, () => randomBytes(64 * 1024));
    const expected = createHash("sha256");
    for (const chunk of chunks) expected.update(chunk);

    const { url } = await listen(
      toNodeHandler({
        async fetch(request) {
          const hash = createHash("sha256");
          let size = 0;
          const reader = request.body!.getReader();
          for (let r = await reader.read(); !r.done; r = await reader.read()) {
            hash.update(r.value);
            size += r.value.byteLength;
          }
          return Response.json({ size, sha256: hash.digest("hex") });
        },
      }),
    );
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks[i++];
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${url}/big`, { method: "POST", body, duplex: "half" } as RequestInit);
    expect(await res.json()).toEqual({ size: 80 * 64 * 1024, sha256: expected.digest("hex") });
  });

  it("keeps a kept-alive connection usable when the app answers without reading the body", async () => {
    let calls = 0;
    const { url } = await listen(
      toNodeHandler({
        async fetch(request) {
          calls += 1;
          if (calls === 1) return new Response("too large", { status: 413 });
          return new Response(String((await request.arrayBuffer()).byteLength));
        },
      }),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: Buffer) =>
      new Promise<{ status: number; text: string; localPort: number }>((resolve, reject) => {
        const req = httpRequest(url, { method: "POST", agent }, (res) => {
          const localPort = res.socket.localPort!;
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode!, text, localPort }));
        });
        req.on("error", reject);
        req.end(body);
      });
    try {
      const first = await post(Buffer.alloc(4 * 1024 * 1024));
      const second = await post(Buffer.alloc(10));
      expect(first.status).toBe(413);
      expect(second).toMatchObject({ status: 200, text: "10" });
      expect(second.localPort).toBe(first.localPort); // the same socket served both
    } finally {
      agent.destroy();
    }
  });
});
