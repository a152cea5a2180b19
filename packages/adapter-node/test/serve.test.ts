import { Agent, get as httpGet } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type ExecutionContextLike, type FetchApp, type Server, serve } from "../src/index.ts";
import { deferred } from "./_helpers.ts";

const started: Server[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function start(app: FetchApp, opts: Parameters<typeof serve>[1] = {}): Promise<Server> {
  const server = await serve(app, { port: 0, onError: () => {}, ...opts });
  started.push(server);
  return server;
}

const encoder = new TextEncoder();

describe("serve", () => {
  it("refuses a busy port, or a port that is no port, with one sentence saying what to do", async () => {
    const first = await start({ fetch: () => new Response("hi") });
    const busy = await serve({ fetch: () => new Response("no") }, { port: first.port }).then(
      () => undefined,
      (error: Error & { code?: string }) => error,
    );
    expect(busy?.message).toBe(
      `cannot listen on 127.0.0.1:${first.port}: the port is already in use. Stop what listens there, or choose another port (PORT=… or serve(app, { port }))`,
    );
    expect(busy?.code).toBe("EADDRINUSE");
    expect((busy?.cause as { code?: string } | undefined)?.code).toBe("EADDRINUSE");
    await expect(serve({ fetch: () => new Response("no") }, { port: 70_000 })).rejects.toThrow(
      'invalid port "70000": give an integer from 0 to 65535 (0 picks a free one)',
    );
  });

  it("reads PORT when no port is given, and quotes a PORT that is no port as it was written", async () => {
    const saved = process.env.PORT;
    try {
      for (const text of ["abc", "3000x", "-1", "1.5"]) {
        process.env.PORT = text;
        const error = await serve({ fetch: () => new Response("no") }).then(
          () => undefined,
          (e: Error & { code?: string }) => e,
        );
        expect(error).toBeInstanceOf(RangeError);
        expect(error?.message).toBe(
          `invalid PORT ${JSON.stringify(text)}: give an integer from 0 to 65535 (0 picks a free one)`,
        );
        expect(error?.code).toBe("ERR_INVALID_PORT");
      }
      process.env.PORT = "0";
      const server = await serve({ fetch: () => new Response("from PORT") });
      started.push(server);
      expect(server.port).toBeGreaterThan(0);
      expect(await (await fetch(server.url)).text()).toBe("from PORT");
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it("listens on 127.0.0.1 with the real port when 0 is asked for", async () => {
    const listened = deferred<{ url: string; port: number }>();
    const server = await start(
      { fetch: () => new Response("hi") },
      { onListen: (info) => listened.resolve(info) },
    );
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(await listened.promise).toMatchObject({ url: server.url, port: server.port });
    expect(await (await fetch(server.url)).text()).toBe("hi");
  });

  it("gives the app a request id (X-Request-Id or a random one) and the shutdown signal", async () => {
    const seen: ExecutionContextLike[] = [];
    const server = await start({
      fetch(_request, _env, ctx) {
        seen.push(ctx!);
        return new Response(null, { status: 204 });
      },
    });
    await fetch(server.url, { headers: { "x-request-id": "req-123" } });
    await fetch(server.url);
    expect(seen[0]?.requestId).toBe("req-123");
    expect(seen[1]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[0]?.signal?.aborted).toBe(false);
    expect(typeof seen[0]?.waitUntil).toBe("function");
  });

  it("close() waits for an in-flight response and refuses new connections", async () => {
    const inApp = deferred();
    const release = deferred();
    const server = await start({
      async fetch() {
        inApp.resolve();
        await release.promise;
        return new Response("finished");
      },
    });
    const response = fetch(server.url).then((r) => r.text());
    await inApp.promise;
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await expect(fetch(server.url)).rejects.toThrow();
    expect(closed).toBe(false);
    release.resolve();
    expect(await response).toBe("finished");
    await closing;
    expect(server.server.listening).toBe(false);
  });

  it("aborts ctx.signal on close so an SSE stream can end with a retry hint", async () => {
    const server = await start({
      fetch(_request, _env, ctx) {
        return new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(encoder.encode(": open\n\n"));
              ctx!.signal!.addEventListener("abort", () => {
                controller.enqueue(encoder.encode("retry: 1000\n\n"));
                controller.close();
              });
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        );
      },
    });
    const reader = (await fetch(server.url)).body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toBe(": open\n\n");
    const closing = server.close();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += r.value;
    expect(rest).toBe("retry: 1000\n\n");
    await closing;
  });

  it("waits for waitUntil work before close() resolves", async () => {
    const release = deferred();
    let backgroundDone = false;
    const server = await start({
      fetch(_request, _env, ctx) {
        ctx!.waitUntil!(
          release.promise.then(() => {
            backgroundDone = true;
          }),
        );
        return new Response("accepted", { status: 202 });
      },
    });
    expect((await fetch(server.url)).status).toBe(202);
    const closing = server.close();
    setTimeout(() => release.resolve(), 100);
    await closing;
    expect(backgroundDone).toBe(true);
  });

  it("destroys what is still running after gracefulTimeoutMs", async () => {
    const server = await start(
      {
        fetch: () =>
          new Response(
            new ReadableStream({
              start(controller) {
                controller.enqueue(encoder.encode(": never ends\n\n"));
              },
            }),
            { headers: { "content-type": "text/event-stream" } },
          ),
      },
      { gracefulTimeoutMs: 200 },
    );
    const res = await fetch(server.url);
    const reader = res.body!.getReader();
    await reader.read();
    await server.close();
    await expect(reader.read()).rejects.toThrow();
  });

  it("closes idle keep-alive connections at once", async () => {
    const server = await start({ fetch: () => new Response("ok") }, { gracefulTimeoutMs: 60_000 });
    const agent = new Agent({ keepAlive: true });
    const socketClosed = deferred();
    await new Promise<void>((resolve, reject) => {
      httpGet(server.url, { agent }, (res) => {
        res.socket.once("close", () => socketClosed.resolve());
        res.resume();
        res.on("end", resolve);
      }).on("error", reject);
    });
    // With a 60 s grace period, only closing the idle socket lets this finish within the test timeout.
    await server.close();
    await socketClosed.promise;
    agent.destroy();
  });

  it("closes when the given signal aborts", async () => {
    const controller = new AbortController();
    const server = await start({ fetch: () => new Response("ok") }, { signal: controller.signal });
    controller.abort();
    await server.close(); // the same promise the signal started
    expect(server.server.listening).toBe(false);
  });

  it("closes on SIGTERM with handleSignals, and removes its signal listeners", async () => {
    const before = process.listenerCount("SIGTERM");
    const beforeInt = process.listenerCount("SIGINT");
    const server = await start({ fetch: () => new Response("ok") }, { handleSignals: true });
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    process.emit("SIGTERM", "SIGTERM");
    await server.close();
    expect(server.server.listening).toBe(false);
    expect(process.listenerCount("SIGTERM")).toBe(before);
    expect(process.listenerCount("SIGINT")).toBe(beforeInt);
  });
});
