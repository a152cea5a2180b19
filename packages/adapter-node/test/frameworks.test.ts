import express from "express";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { type FetchApp, toNodeHandler } from "../src/index.ts";
import { deferred, listen, stopAll } from "./_helpers.ts";

const fastifies: FastifyInstance[] = [];
afterEach(async () => {
  await stopAll();
  await Promise.all(fastifies.splice(0).map((f) => f.close()));
});

/** An app that answers with what it saw. */
const echo: FetchApp = {
  async fetch(request) {
    return Response.json({
      method: request.method,
      url: request.url,
      contentLength: request.headers.get("content-length"),
      body: request.body === null ? null : await request.text(),
    });
  },
};

const payload = { jsonrpc: "2.0", id: 1, method: "tools/list", params: { note: "ünïcödé" } };

function postJson(url: string, body: unknown = payload): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function listenFastify(fastify: FastifyInstance): Promise<string> {
  fastifies.push(fastify);
  return fastify.listen({ port: 0, host: "127.0.0.1" });
}

describe("Express", () => {
  it("serves a route with the raw, unread body", async () => {
    const app = express();
    app.all("/mcp", toNodeHandler(echo));
    const { url } = await listen(app);
    const res = await postJson(`${url}/mcp?x=1`);
    expect(await res.json()).toEqual({
      method: "POST",
      url: `${url}/mcp?x=1`,
      contentLength: String(Buffer.byteLength(JSON.stringify(payload))),
      body: JSON.stringify(payload),
    });
  });

  it("rebuilds a body express.json() already parsed, with a matching Content-Length", async () => {
    const app = express();
    app.use(express.json());
    app.all("/mcp", toNodeHandler(echo));
    const { url } = await listen(app);
    const sent = `{ "jsonrpc": "2.0",  "id": 1, "method": "tools/list", "params": { "note": "ünïcödé" } }`;
    const res = await fetch(`${url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: sent,
    });
    const seen = (await res.json()) as { body: string; contentLength: string };
    expect(JSON.parse(seen.body)).toEqual(payload);
    expect(seen.contentLength).toBe(String(Buffer.byteLength(seen.body)));
  });

  it("passes bytes from express.raw() through unchanged", async () => {
    const app = express();
    app.use(express.raw({ type: "*/*" }));
    app.all("/mcp", toNodeHandler(echo));
    const { url } = await listen(app);
    const seen = (await (await postJson(`${url}/mcp`)).json()) as { body: string };
    expect(seen.body).toBe(JSON.stringify(payload));
  });

  it("sees the full URL when mounted with app.use(path)", async () => {
    const app = express();
    app.use("/api", toNodeHandler(echo));
    const { url } = await listen(app);
    const seen = (await (await fetch(`${url}/api/mcp?q=1`)).json()) as { url: string };
    expect(seen.url).toBe(`${url}/api/mcp?q=1`);
  });

  it("streams SSE through Express", async () => {
    const gate = deferred();
    const app = express();
    app.get("/events", (req, res) => {
      void toNodeHandler({
        fetch: () =>
          new Response(
            new ReadableStream({
              async start(controller) {
                controller.enqueue(new TextEncoder().encode("data: a\n\n"));
                await gate.promise;
                controller.close();
              },
            }),
            { headers: { "content-type": "text/event-stream" } },
          ),
      })(req, res);
    });
    const { url } = await listen(app);
    const reader = (await fetch(`${url}/events`)).body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toBe("data: a\n\n");
    gate.resolve();
    expect((await reader.read()).done).toBe(true);
  });
});

describe("Fastify", () => {
  it("serves a hijacked route whose body a catch-all parser left unread", async () => {
    const handler = toNodeHandler(echo);
    const fastify = Fastify();
    await fastify.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
      scope.all("/mcp", (request, reply) => {
        reply.hijack();
        return handler(request.raw, reply.raw);
      });
    });
    const base = await listenFastify(fastify);
    const seen = (await (await postJson(`${base}/mcp?x=1`)).json()) as Record<string, unknown>;
    expect(seen).toEqual({
      method: "POST",
      url: `${base}/mcp?x=1`,
      contentLength: String(Buffer.byteLength(JSON.stringify(payload))),
      body: JSON.stringify(payload),
    });
    const get = (await (await fetch(`${base}/mcp`)).json()) as Record<string, unknown>;
    expect(get).toMatchObject({ method: "GET", body: null });
  });

  it("serves a hijacked route that hands over the body Fastify parsed", async () => {
    const handler = toNodeHandler(echo);
    const fastify = Fastify();
    fastify.post("/mcp", (request, reply) => {
      reply.hijack();
      return handler(Object.assign(request.raw, { body: request.body }), reply.raw);
    });
    const base = await listenFastify(fastify);
    const seen = (await (await postJson(`${base}/mcp`)).json()) as { body: string; contentLength: string };
    expect(JSON.parse(seen.body)).toEqual(payload);
    expect(seen.contentLength).toBe(String(Buffer.byteLength(seen.body)));
  });
});
