/**
 * A client that stops reading its response: the adapter lets go of the connection, and of the bytes
 * it holds for it, once `writeStallTimeoutMs` passes without the client taking any, or as soon as
 * the body stream fails (the core's own stall detector errors a full SSE stream); a slow reader
 * that keeps taking bytes is served to the end.
 */
import type { Server } from "node:http";
import { connect, type Socket } from "node:net";
import { bufferedResponse } from "@portico/host";
import { afterEach, describe, expect, it } from "vitest";
import { type FetchApp, serve, toNodeHandler, writeResponse } from "../src/index.ts";
import { deferred, listen, settle, stopAll } from "./_helpers.ts";

afterEach(stopAll);

const sse = { "content-type": "text/event-stream" };
const CHUNK = 64 * 1024;

/** An endless body of 64 KiB chunks, made only when pulled; counts pulls and records a cancel. */
function endless(): {
  stream: ReadableStream<Uint8Array>;
  pulled: () => number;
  cancelled: Promise<unknown>;
} {
  let pulls = 0;
  const cancelled = deferred<unknown>();
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls += 1;
        controller.enqueue(new Uint8Array(CHUNK).fill(0x61));
      },
      cancel: (reason) => cancelled.resolve(reason),
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulls, cancelled: cancelled.promise };
}

/** Resolves with the server side of the next connection `server` accepts. */
function nextConnection(server: Server): Promise<Socket> {
  return new Promise((resolve) => server.once("connection", resolve));
}

/** "closed" once `socket` closes, "open" if it is still open after `ms` (a generous bound). */
function closedWithin(socket: Socket, ms: number): Promise<"closed" | "open"> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve("closed");
    const timer = setTimeout(() => resolve("open"), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve("closed");
    });
  });
}

/** Sends `GET /` and reads nothing (the socket stays paused). */
function silentClient(url: string): Socket {
  const { port } = new URL(url);
  const socket = connect(Number(port), "127.0.0.1");
  socket.on("error", () => {});
  socket.pause();
  socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  return socket;
}

/** After the server let go: the client reads what reached it, then sees the connection end. */
function drainToEnd(socket: Socket): Promise<number> {
  return new Promise((resolve) => {
    let bytes = 0;
    socket.on("data", (chunk: Buffer) => {
      bytes += chunk.byteLength;
    });
    socket.once("close", () => resolve(bytes));
    socket.resume();
  });
}

/**
 * A client that keeps reading, slowly: `burst` bytes, then a pause of `gapMs`, until the server
 * ends the response (a Content-Length one, or a chunked one with its last chunk). Resolves with the
 * body received (chunked framing included), and whether the connection was cut before the end.
 */
function slowClient(url: string, burst: number, gapMs: number): Promise<{ body: Buffer; cut: boolean }> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1");
    socket.on("error", () => {});
    const chunks: Buffer[] = [];
    let received = 0;
    let bodyStart = -1;
    let expected = -1;
    let sinceGap = 0;
    const finish = (cut: boolean): void => {
      socket.destroy();
      const all = Buffer.concat(chunks);
      resolve({ body: all.subarray(Math.max(bodyStart, 0)), cut });
    };
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.byteLength;
      if (bodyStart < 0) {
        const head = Buffer.concat(chunks).toString("latin1");
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        bodyStart = end + 4;
        expected = Number(/content-length: (\d+)/i.exec(head.slice(0, end))?.[1] ?? -1);
      }
      const done =
        expected >= 0
          ? received - bodyStart >= expected
          : chunk.subarray(-5).toString("latin1") === "0\r\n\r\n";
      if (done) {
        finish(false);
        return;
      }
      sinceGap += chunk.byteLength;
      if (sinceGap >= burst) {
        sinceGap = 0;
        socket.pause();
        setTimeout(() => socket.resume(), gapMs);
      }
    });
    socket.once("close", () => finish(true));
    socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  });
}

describe("a client that stops reading", () => {
  it("is cut after writeStallTimeoutMs without progress, and the body is cancelled", async () => {
    const body = endless();
    const errors: unknown[] = [];
    const { url, server } = await listen(
      toNodeHandler(
        { fetch: () => new Response(body.stream, { headers: sse }) },
        { writeStallTimeoutMs: 300, onError: (error) => errors.push(error) },
      ),
    );
    const accepted = nextConnection(server);
    const client = silentClient(url);
    expect(await closedWithin(await accepted, 10_000)).toBe("closed");
    const reason = await body.cancelled;
    expect(reason).toBeInstanceOf(DOMException);
    expect((reason as DOMException).name).toBe("TimeoutError");
    // The stall is the client's doing, not an app error.
    expect(errors).toEqual([]);
    // The bytes already in the kernel's buffers still reach it, then the connection ends.
    expect(await drainToEnd(client)).toBeGreaterThan(0);
  });

  it("is cut after writeStallTimeoutMs in a large buffered body (serve())", async () => {
    const server = await serve(
      {
        acceptsBufferedRequests: true,
        fetch: () => bufferedResponse("x".repeat(32 << 20), 200, { "content-type": "text/plain" }),
      },
      { port: 0, writeStallTimeoutMs: 300, onError: () => {} },
    );
    try {
      const accepted = nextConnection(server.server);
      const client = silentClient(server.url);
      expect(await closedWithin(await accepted, 10_000)).toBe("closed");
      const received = await drainToEnd(client);
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThan(32 << 20);
    } finally {
      await server.close();
    }
  });

  it("is cut after writeStallTimeoutMs when small buffered answers pile up unread (pipelined)", async () => {
    // Each answer is small (one `end(body)`), so no write ever waits for 'drain': before, nothing
    // watched them and the connection held every answer it could not send, for as long as the client
    // stayed connected.
    let answered = 0;
    const server = await serve(
      {
        acceptsBufferedRequests: true,
        fetch: () => {
          answered += 1;
          return bufferedResponse("y".repeat(48 * 1024), 200, { "content-type": "text/plain" });
        },
      },
      { port: 0, writeStallTimeoutMs: 300, onError: () => {} },
    );
    try {
      const accepted = nextConnection(server.server);
      const { port } = new URL(server.url);
      const client = connect(Number(port), "127.0.0.1");
      client.on("error", () => {});
      client.pause();
      // ~60 MB of answers asked for in one write: far more than the kernel's buffers on loopback.
      client.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(1200));
      expect(await closedWithin(await accepted, 10_000)).toBe("closed");
      expect(answered).toBeGreaterThan(0);
      const received = await drainToEnd(client);
      expect(received).toBeLessThan(1200 * 48 * 1024);
    } finally {
      await server.close();
    }
  });

  it("is cut after writeStallTimeoutMs in a large one-chunk streamed body, and the handler settles", async () => {
    const settled = deferred<string>();
    const handler = toNodeHandler(
      { fetch: () => new Response("x".repeat(32 << 20)) },
      { writeStallTimeoutMs: 300 },
    );
    const { url, server } = await listen((req, res) => {
      handler(req, res).then(() => settled.resolve("settled"));
    });
    const accepted = nextConnection(server);
    const client = silentClient(url);
    expect(await closedWithin(await accepted, 10_000)).toBe("closed");
    expect(await settled.promise).toBe("settled");
    client.destroy();
  });

  it("is cut as soon as the body stream fails while the adapter waits for the client", async () => {
    // The core errors a full SSE stream whose reader took nothing for two keep-alive intervals; the
    // adapter, waiting for 'drain', must notice without waiting for its own (default 60 s) timeout.
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          controller = c;
        },
        pull(c) {
          pulls += 1;
          c.enqueue(new Uint8Array(CHUNK).fill(0x62));
        },
      },
      { highWaterMark: 0 },
    );
    const errors: unknown[] = [];
    const { url, server } = await listen(
      toNodeHandler(
        { fetch: () => new Response(stream, { headers: sse }) },
        { onError: (error) => errors.push(error) },
      ),
    );
    const accepted = nextConnection(server);
    const client = silentClient(url);
    const socket = await accepted;
    // The socket is full: the adapter stopped pulling.
    expect(await settle(() => pulls)).toBeGreaterThan(0);
    controller.error(new Error("The client stopped reading the stream"));
    expect(await closedWithin(socket, 10_000)).toBe("closed");
    // The client's doing, not an app error: nothing is reported.
    expect(errors).toEqual([]);
    client.destroy();
  });

  it("is cut by writeResponse's own writeStallTimeoutMs", async () => {
    const body = endless();
    const { url, server } = await listen((_req, res) => {
      void writeResponse(new Response(body.stream, { headers: sse }), res, { writeStallTimeoutMs: 300 });
    });
    const accepted = nextConnection(server);
    const client = silentClient(url);
    expect(await closedWithin(await accepted, 10_000)).toBe("closed");
    await body.cancelled;
    client.destroy();
  });
});

describe("a slow reader that keeps reading", () => {
  // 16 MB: several times what the loopback's kernel buffers hold, so the server waits on the client
  // many times, for longer than the stall timeout in all; each wait is short.
  const size = 16 << 20;
  const options = { writeStallTimeoutMs: 1000, onError: () => {} };

  it("gets a large streamed chunk to the end", async () => {
    const app: FetchApp = {
      fetch: () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new Uint8Array(size).fill(0x63));
              controller.enqueue(new Uint8Array(1).fill(0x63));
              controller.close();
            },
          }),
          { headers: { "content-type": "application/octet-stream" } },
        ),
    };
    const { url } = await listen(toNodeHandler(app, options));
    const { body, cut } = await slowClient(url, 256 * 1024, 40);
    expect(cut).toBe(false);
    // Chunked framing adds a few bytes per chunk to the payload.
    expect(body.byteLength).toBeGreaterThan(size + 1);
    expect(body.byteLength).toBeLessThan(size + 64 * 1024);
  });

  it("gets every small answer of a long pipeline (slow, steady reading is progress)", async () => {
    const server = await serve(
      {
        acceptsBufferedRequests: true,
        fetch: () => bufferedResponse("z".repeat(48 * 1024), 200, { "content-type": "text/plain" }),
      },
      { port: 0, writeStallTimeoutMs: 300, onError: () => {} },
    );
    try {
      const { port } = new URL(server.url);
      const count = 120; // ~5.6 MB, read at ~2.5 MB/s: far longer than 300 ms in all
      const received = await new Promise<{ bytes: number; cut: boolean }>((resolve) => {
        const socket = connect(Number(port), "127.0.0.1");
        socket.on("error", () => {});
        let bytes = 0;
        let sinceGap = 0;
        const expected = count * 48 * 1024;
        socket.on("data", (chunk: Buffer) => {
          bytes += chunk.byteLength;
          sinceGap += chunk.byteLength;
          if (bytes >= expected + count * 60) {
            socket.destroy();
            resolve({ bytes, cut: false });
            return;
          }
          if (sinceGap >= 128 * 1024) {
            sinceGap = 0;
            socket.pause();
            setTimeout(() => socket.resume(), 50);
          }
        });
        socket.once("close", () => resolve({ bytes, cut: true }));
        socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(count));
      });
      expect(received.cut).toBe(false);
      expect(received.bytes).toBeGreaterThan(count * 48 * 1024);
    } finally {
      await server.close();
    }
  }, 30_000);

  it("gets a large buffered body to the end, intact", async () => {
    // Four-byte characters (two UTF-16 units each) starting at odd offsets: a slice boundary that
    // split one would corrupt it.
    const text = `a${"\u{1F600}".repeat(size / 4)}`;
    const app: FetchApp = {
      acceptsBufferedRequests: true,
      fetch: () => bufferedResponse(text, 200, { "content-type": "text/plain; charset=utf-8" }),
    };
    const { url } = await listen(toNodeHandler(app, options));
    const { body, cut } = await slowClient(url, 256 * 1024, 40);
    expect(cut).toBe(false);
    expect(body.byteLength).toBe(Buffer.byteLength(text));
    expect(body.toString("utf8") === text).toBe(true);
  });
});

describe("writeStallTimeoutMs", () => {
  it("refuses a value that is not a number of milliseconds", async () => {
    const app: FetchApp = { fetch: () => new Response("") };
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, "60000"]) {
      expect(() => toNodeHandler(app, { writeStallTimeoutMs: bad as number })).toThrow(RangeError);
    }
    expect(() => toNodeHandler(app, { writeStallTimeoutMs: -1 })).toThrow(
      "writeStallTimeoutMs must be a finite number of ms from 0 (no limit) to 2147483647 (about 24.8 days), got -1",
    );
    await expect(serve(app, { port: 0, writeStallTimeoutMs: -1 })).rejects.toThrow(RangeError);
    expect(() => toNodeHandler(app, { writeStallTimeoutMs: 0 })).not.toThrow();
  });
});
