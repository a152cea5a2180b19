/**
 * lightFetch once an answer's head arrived: a body that cannot be read (cut off, malformed) is a
 * LightFetchError with the status and the underlying error as `cause`, and an answer that has no
 * body (to HEAD, a 204, a 304) is never refused for the Content-Length it declares. Both ways it
 * sends: node:http, and `fetch` (where process.getBuiltinModule is missing). Raw answers from a
 * TCP server on 127.0.0.1, one per connection.
 */

import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as viaNode from "../src/light-fetch.ts";

/** What the server writes for each path, then it closes the connection. */
const ANSWERS: Record<string, string> = {
  "/cut": "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789",
  "/head-only": "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 5\r\n\r\n",
  "/bad-chunk": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n",
  "/head": "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n",
  "/no-content": "HTTP/1.1 204 No Content\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n",
  "/not-modified": "HTTP/1.1 304 Not Modified\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n",
  "/ok": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
};

let server: Server;
let base = "";
let viaFetch: typeof viaNode;

beforeAll(async () => {
  server = createServer((socket) => {
    let head = "";
    socket.on("data", (chunk) => {
      head += chunk;
      if (!head.includes("\r\n\r\n")) return;
      const path = head.split(" ")[1] ?? "";
      socket.end(ANSWERS[path] ?? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A fresh copy of the module whose first call finds no process.getBuiltinModule: it uses `fetch`.
  vi.resetModules();
  const proc = process as { getBuiltinModule?: unknown };
  const saved = proc.getBuiltinModule;
  proc.getBuiltinModule = undefined;
  try {
    viaFetch = await import("../src/light-fetch.ts");
    expect(await (await viaFetch.lightFetch(`${base}/ok`, { method: "GET", headers: {} })).text()).toBe("ok");
  } finally {
    proc.getBuiltinModule = saved;
  }
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe.each([
  ["node:http", () => viaNode],
  ["fetch", () => viaFetch],
])("lightFetch through %s", (_, module) => {
  it.each([
    ["cut off mid-body", "/cut", 200],
    ["closed right after the head", "/head-only", 502],
    ["with a malformed chunk size", "/bad-chunk", 200],
  ])(
    "rejects an answer %s with a LightFetchError carrying its status and the cause",
    async (_, path, status) => {
      const { lightFetch, LightFetchError } = module();
      const failure = await lightFetch(`${base}${path}`, { method: "GET", headers: {} }).then(
        () => "resolved",
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(LightFetchError);
      expect(failure).toMatchObject({ name: "LightFetchError", status });
      expect((failure as Error).cause).toBeInstanceOf(Error);
    },
  );

  it.each([
    ["to HEAD", "HEAD", "/head", 200],
    ["with 204", "GET", "/no-content", 204],
    ["with 304", "GET", "/not-modified", 304],
  ])(
    "reads an answer %s as empty, its Content-Length over maxBytes notwithstanding",
    async (_, method, path, status) => {
      const { lightFetch } = module();
      const response = await lightFetch(`${base}${path}`, { method, headers: {}, maxBytes: 1000 });
      expect([response.status, await response.text()]).toStrictEqual([status, ""]);
    },
  );
});
