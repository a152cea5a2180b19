import { get as httpGet, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type FetchApp, toNodeHandler } from "../src/index.ts";
import { deferred, INTERNAL_ERROR, listen, settle, stopAll } from "./_helpers.ts";

afterEach(stopAll);

const encoder = new TextEncoder();
const sse = { "content-type": "text/event-stream", "cache-control": "no-cache" };

/** Serves `app` and collects what it reports through onError. */
async function serveApp(app: FetchApp): Promise<{ url: string; errors: unknown[] }> {
  const errors: unknown[] = [];
  const { url } = await listen(toNodeHandler(app, { onError: (error) => errors.push(error) }));
  return { url, errors };
}

function getResponse(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => httpGet(url, resolve).on("error", reject));
}

describe("writeResponse", () => {
  it("delivers SSE events as they are produced", async () => {
    const clientSawFirst = deferred();
    const { url } = await serveApp({
      fetch: () =>
        new Response(
          new ReadableStream({
            async start(controller) {
              controller.enqueue(encoder.encode("data: 1\n\n"));
              // The second event waits for the client: a buffering adapter would deadlock here.
              await clientSawFirst.promise;
              controller.enqueue(encoder.encode("data: 2\n\n"));
              controller.close();
            },
          }),
          { headers: sse },
        ),
    });
    const res = await fetch(url);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toBe("data: 1\n\n");
    clientSawFirst.resolve();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += r.value;
    expect(rest).toBe("data: 2\n\n");
  });

  it("lets the first of several spaced events arrive before the stream ends", async () => {
    let ended = false;
    const { url } = await serveApp({
      fetch: () => {
        let n = 0;
        return new Response(
          new ReadableStream({
            async pull(controller) {
              if (n > 0) await new Promise((r) => setTimeout(r, 50));
              n += 1;
              controller.enqueue(encoder.encode(`data: ${n}\n\n`));
              if (n === 5) {
                ended = true;
                controller.close();
              }
            },
          }),
          { headers: sse },
        );
      },
    });
    const reader = (await fetch(url)).body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toBe("data: 1\n\n");
    expect(ended).toBe(false);
    let all = "data: 1\n\n";
    for (let r = await reader.read(); !r.done; r = await reader.read()) all += r.value;
    expect(all).toBe([1, 2, 3, 4, 5].map((n) => `data: ${n}\n\n`).join(""));
  });

  it("pulls a 32 MB body only as fast as a paused client reads it", async () => {
    const chunkSize = 64 * 1024;
    const total = 512; // 32 MB
    let pulled = 0;
    const { url } = await serveApp({
      fetch: () =>
        new Response(
          new ReadableStream(
            {
              pull(controller) {
                pulled += 1;
                controller.enqueue(new Uint8Array(chunkSize).fill(pulled % 251));
                if (pulled === total) controller.close();
              },
            },
            { highWaterMark: 0 },
          ),
          { headers: { "content-type": "application/octet-stream" } },
        ),
    });
    const res = await getResponse(url);
    res.pause();
    const whilePaused = await settle(() => pulled);
    // Kernel and stream buffers hold a few MB (about 5 MB on Linux loopback); the rest must stay
    // unproduced until the client reads.
    expect(whilePaused).toBeLessThan(total / 2);

    let received = 0;
    res.on("data", (chunk: Buffer) => {
      received += chunk.byteLength;
    });
    res.resume();
    await new Promise((resolve) => res.on("end", resolve));
    expect(received).toBe(total * chunkSize);
    expect(pulled).toBe(total);
  });

  it("sends each Set-Cookie header separately", async () => {
    const { url } = await serveApp({
      fetch: () => {
        const headers = new Headers({ "content-type": "text/plain" });
        headers.append("set-cookie", "a=1; Path=/; HttpOnly");
        headers.append("set-cookie", "b=2, with comma; Path=/");
        return new Response("ok", { headers });
      },
    });
    const res = await getResponse(url);
    res.resume();
    expect(res.headers["set-cookie"]).toEqual(["a=1; Path=/; HttpOnly", "b=2, with comma; Path=/"]);
    expect((await fetch(url)).headers.getSetCookie()).toHaveLength(2);
  });

  it("keeps status and status text, and sends Content-Length for a one-chunk body", async () => {
    const { url } = await serveApp({
      fetch: () => new Response("created!", { status: 201, statusText: "Made It", headers: { "x-a": "b" } }),
    });
    const res = await getResponse(url);
    res.resume();
    expect(res.statusCode).toBe(201);
    expect(res.statusMessage).toBe("Made It");
    expect(res.headers["content-length"]).toBe("8");
    expect(res.headers["x-a"]).toBe("b");
  });

  it("answers HEAD with headers only", async () => {
    const { url } = await serveApp({ fetch: () => new Response("body", { headers: { "x-h": "1" } }) });
    const res = await fetch(url, { method: "HEAD" });
    expect(res.headers.get("x-h")).toBe("1");
    expect(await res.text()).toBe("");
  });

  it("answers 500 with a JSON-RPC error and no details when the app throws", async () => {
    const { url, errors } = await serveApp({
      fetch: () => {
        throw new Error("secret database password in message");
      },
    });
    const res = await fetch(url, { method: "POST", body: "{}" });
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("application/json");
    const text = await res.text();
    expect(JSON.parse(text)).toEqual(INTERNAL_ERROR);
    expect(text).not.toMatch(/secret|at .*\.ts/);
    expect(errors).toHaveLength(1);
  });

  it("answers 500 when the app resolves to something that is not a Response", async () => {
    const { url, errors } = await serveApp({ fetch: async () => ({ nope: true }) as unknown as Response });
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual(INTERNAL_ERROR);
    expect(errors).toHaveLength(1);
  });

  it("answers 500 when the body fails before its first byte", async () => {
    const { url } = await serveApp({
      fetch: () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              controller.error(new Error("boom"));
            },
          }),
        ),
    });
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual(INTERNAL_ERROR);
  });

  it("cuts the connection when the body fails after the status line went out", async () => {
    const { url, errors } = await serveApp({
      fetch: () => {
        let n = 0;
        return new Response(
          new ReadableStream({
            async pull(controller) {
              n += 1;
              if (n === 1) controller.enqueue(encoder.encode("data: 1\n\n"));
              else controller.error(new Error("mid-stream failure"));
            },
          }),
          { headers: sse },
        );
      },
    });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(errors).toHaveLength(1);
  });
});
