/**
 * The buffered fast path (`bufferedResponse` of `@portico/host`, what a Portico handler answers with):
 * framing, failures, and large bodies meeting a graceful `close()`.
 */
import { connect } from "node:net";
import { bufferedResponse } from "@portico/host";
import { afterEach, describe, expect, it } from "vitest";
import { type FetchApp, serve, toNodeHandler } from "../src/index.ts";
import { deferred, INTERNAL_ERROR, listen, rawRequest, stopAll } from "./_helpers.ts";

afterEach(stopAll);

const buffered = (response: () => Response): FetchApp => ({ acceptsBufferedRequests: true, fetch: response });

describe("buffered responses", () => {
  it("send no Content-Length with 204 or 304, and the body's length with HEAD", async () => {
    // RFC 9110 §8.6: no Content-Length in a 204; in a 304 only the selected representation's length,
    // which a body-less buffered response does not know. HEAD: the length a GET would have had.
    const statuses = [204, 304];
    const { url } = await listen(
      toNodeHandler(
        buffered(() => bufferedResponse(statuses.length > 0 ? null : "four", statuses.shift() ?? 200, {})),
      ),
    );
    const noBody = (method: string) => `${method} / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const noContent = await rawRequest(url, noBody("OPTIONS"));
    expect(noContent).toMatch(/^HTTP\/1\.1 204 /);
    expect(noContent.toLowerCase()).not.toContain("content-length");
    const notModified = await rawRequest(url, noBody("GET"));
    expect(notModified).toMatch(/^HTTP\/1\.1 304 /);
    expect(notModified.toLowerCase()).not.toContain("content-length");
    const head = await rawRequest(url, noBody("HEAD"));
    expect(head.toLowerCase()).toContain("content-length: 4\r\n");
    expect(head.endsWith("\r\n\r\n")).toBe(true);
  });

  it("answer 500 when the response cannot be written, and the handler still resolves", async () => {
    const errors: unknown[] = [];
    const handler = toNodeHandler(
      buffered(() => bufferedResponse("x", 200, { "x-bad": "line\nbreak" })),
      { onError: (error) => errors.push(error) },
    );
    const outcome = deferred<string>();
    const { url } = await listen((req, res) => {
      handler(req, res).then(
        () => outcome.resolve("resolved"),
        () => outcome.resolve("rejected"),
      );
    });
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual(INTERNAL_ERROR);
    expect(await outcome.promise).toBe("resolved");
    expect(errors).toHaveLength(1);
  });

  it("settle when the client leaves in the middle of a large body", async () => {
    const settled = deferred<string>();
    const handler = toNodeHandler(buffered(() => bufferedResponse("x".repeat(16 << 20), 200, {})));
    const { url } = await listen((req, res) => {
      handler(req, res).then(() => settled.resolve("resolved"));
    });
    const { port } = new URL(url);
    const socket = connect(Number(port), "127.0.0.1");
    socket.once("data", () => socket.destroy()); // the first bytes, then gone
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await settled.promise).toBe("resolved");
  });
});

describe("serve(): close() and a large body still on its way out", () => {
  // Node counts a response as finished once `end()` is called, and server.close() /
  // closeIdleConnections() destroy connections whose response is finished, even one whose bytes
  // still wait in the socket for a slow reader. The loopback's kernel buffers hold a few MB.
  const size = 16 * 1024 * 1024;

  /** Requests `/` from a client that reads nothing until `whenWritten` and `server.close()` ran. */
  async function bodyBytesAfterClose(app: FetchApp, closeFirst: boolean): Promise<number> {
    const written = deferred();
    const inApp = deferred();
    const release = deferred();
    const server = await serve(
      {
        async fetch(request, env, ctx) {
          inApp.resolve();
          await release.promise;
          const response = await app.fetch(request, env, ctx);
          setTimeout(() => written.resolve(), 100);
          return response;
        },
      },
      { port: 0, onError: () => {} },
    );
    const socket = connect(server.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    const gone = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("error", () => {});
    socket.pause();
    socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    await inApp.promise;
    let closing: Promise<void>;
    if (closeFirst) {
      closing = server.close(); // the response is written while the server is closing
      release.resolve();
      await written.promise;
    } else {
      release.resolve();
      await written.promise;
      closing = server.close(); // the response was written, but has not left yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.resume();
    await gone;
    await closing;
    const received = Buffer.concat(chunks).toString("latin1");
    return received.length - received.indexOf("\r\n\r\n") - 4;
  }

  const big = () => bufferedResponse("x".repeat(size), 200, { "content-type": "text/plain" });

  it("delivers a buffered body written before close()", async () => {
    expect(await bodyBytesAfterClose(buffered(big), false)).toBe(size);
  });

  it("delivers a buffered body written while closing", async () => {
    expect(await bodyBytesAfterClose(buffered(big), true)).toBe(size);
  });

  it("delivers a one-chunk streamed body written before close()", async () => {
    const app = { fetch: () => new Response("x".repeat(size)) };
    expect(await bodyBytesAfterClose(app, false)).toBe(size);
  });
});
