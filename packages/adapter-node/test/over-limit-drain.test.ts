/**
 * What the server reads of a body nobody wants. The core answers an over-limit body 413 after
 * dropping at most 32 MB of it, then cancels the body; the adapter drops at most a little more (so
 * the answer can still reach a client that is still uploading) and then stops reading and closes
 * the connection once the answer is out — instead of draining the socket for as long as the client
 * sends. A body the app left unread is dropped the same way after the response: a small one keeps
 * the kept-alive connection, a huge one closes it.
 */
import { Agent, request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { addTool, createHandler, McpServer } from "@portico/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Server, serve, toNodeHandler } from "../src/index.ts";
import { listen, stopAll } from "./_helpers.ts";

const MiB = 1024 * 1024;
/** What a client tries to upload: far more than the server should read. */
const UPLOAD = 1024 * MiB;
/** The most the server may read of it: the core's 32 MB, the adapter's cap, and kernel buffers. */
const READ_BOUND = 64 * MiB;
/** A client that is not cut off gives up after this long (the test then fails, in bounded time). */
const GIVE_UP_MS = 15_000;

let served: Server | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
  await stopAll();
});

/** A Portico handler that takes bodies of at most 1000 bytes, served on 127.0.0.1. */
async function smallLimitServer(): Promise<Server> {
  const mcp = new McpServer({ name: "drain", version: "1" });
  addTool(mcp, "t", {}, () => "x");
  served = await serve(createHandler(mcp, { maxBodyBytes: 1000, onError: () => {} }), {
    port: 0,
    hostname: "127.0.0.1",
    gracefulTimeoutMs: 100,
    onError: () => {},
  });
  return served;
}

/** Counts what the server has read from each connection it accepted. */
function serverSockets(server: Server["server"]): Socket[] {
  const sockets: Socket[] = [];
  server.on("connection", (socket: Socket) => void sockets.push(socket));
  return sockets;
}

interface Upload {
  /** Everything the server sent back. */
  answer: string;
  /** Bytes of body the client wrote before the connection ended (or it gave up). */
  written: number;
  /** Whether the server closed (or reset) the connection. */
  closed: boolean;
}

/**
 * Sends a POST whose body never ends early — 1 GiB with a Content-Length or in 1 MiB chunks — as
 * fast as the server takes it, until the server closes the connection, the whole GiB went out, or
 * {@link GIVE_UP_MS} passed.
 */
function upload(port: number, framing: "content-length" | "chunked", host = "127.0.0.1"): Promise<Upload> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    let written = 0;
    let closed = false;
    let done = false;
    const started = Date.now();
    const block = Buffer.alloc(MiB, 0x61);
    const frame =
      framing === "chunked"
        ? Buffer.concat([Buffer.from(`${block.length.toString(16)}\r\n`), block, Buffer.from("\r\n")])
        : block;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, written, closed });
    };
    const timer = setTimeout(finish, GIVE_UP_MS);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("error", () => {
      closed = true;
    });
    socket.on("close", () => {
      closed = true;
      finish();
    });
    const pump = (): void => {
      while (!closed && !done && written < UPLOAD && Date.now() - started < GIVE_UP_MS) {
        written += block.length;
        if (!socket.write(frame)) {
          socket.once("drain", pump);
          return;
        }
      }
      // Everything went out and the server still reads: wait for its answer or the give-up.
      if (written >= UPLOAD) setTimeout(finish, 1_000);
    };
    socket.on("connect", () => {
      const length = framing === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${UPLOAD}`;
      socket.write(
        `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
          `Accept: application/json, text/event-stream\r\n${length}\r\n\r\n`,
      );
      pump();
    });
  });
}

describe("an over-limit body that keeps coming", () => {
  for (const framing of ["content-length", "chunked"] as const) {
    it(`(${framing}) gets its 413, then the server stops reading and closes the connection`, async () => {
      const server = await smallLimitServer();
      const sockets = serverSockets(server.server);
      const { answer, written, closed } = await upload(server.port, framing);
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(closed).toBe(true);
      expect(written).toBeLessThan(UPLOAD);
      expect(sockets).toHaveLength(1);
      expect(sockets[0]?.bytesRead).toBeLessThan(READ_BOUND);
    });
  }
});

describe("a body the app leaves unread", () => {
  it("is dropped when small, and the kept-alive connection serves the next request", async () => {
    const { url, server } = await listen(toNodeHandler({ fetch: async () => new Response("early") }));
    const sockets = serverSockets(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: Buffer) =>
      new Promise<{ status: number; text: string; localPort: number }>((resolve, reject) => {
        const req = httpRequest(url, { method: "POST", agent }, (res) => {
          const localPort = res.socket.localPort ?? 0;
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text, localPort }));
        });
        req.on("error", reject);
        req.end(body);
      });
    try {
      const first = await post(Buffer.alloc(256 * 1024, 0x62));
      const second = await post(Buffer.alloc(10, 0x62));
      expect(first).toMatchObject({ status: 200, text: "early" });
      expect(second).toMatchObject({ status: 200, text: "early" });
      expect(second.localPort).toBe(first.localPort);
      expect(sockets).toHaveLength(1);
    } finally {
      agent.destroy();
    }
  });

  it("is not read without end when huge (a Portico refusal): the answer goes out, then the connection closes", async () => {
    // The core refuses a foreign Host before reading the body: a buffered answer.
    const server = await smallLimitServer();
    const sockets = serverSockets(server.server);
    for (const framing of ["content-length", "chunked"] as const) {
      const { answer, written, closed } = await upload(server.port, framing, "evil.example");
      expect(answer).toMatch(/^HTTP\/1\.1 403 /);
      expect(closed).toBe(true);
      expect(written).toBeLessThan(UPLOAD);
    }
    expect(sockets).toHaveLength(2);
    for (const socket of sockets) expect(socket.bytesRead).toBeLessThan(READ_BOUND);
  });

  it("is not read without end when huge (a streamed answer): the answer goes out, then the connection closes", async () => {
    const { url, server } = await listen(toNodeHandler({ fetch: async () => new Response("early") }));
    const sockets = serverSockets(server);
    for (const framing of ["content-length", "chunked"] as const) {
      const { answer, written, closed } = await upload(Number(new URL(url).port), framing);
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toMatch(/early$/);
      expect(closed).toBe(true);
      expect(written).toBeLessThan(UPLOAD);
    }
    expect(sockets).toHaveLength(2);
    for (const socket of sockets) expect(socket.bytesRead).toBeLessThan(READ_BOUND);
  });
});
