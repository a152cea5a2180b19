/**
 * The dev server answers a request-target that is not a URL with 400, and nothing in its request
 * handler can reject unhandled (Node's default for an unhandled rejection ends the process).
 */
import net from "node:net";
import { createHandler, McpServer } from "@portico/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { installAwslambda, type LambdaDevServer, serveLambda } from "../src/dev/index.ts";
import { handle, streamHandle } from "../src/index.ts";

installAwslambda();
const app = () => createHandler(new McpServer({ name: "t", version: "1" }), { onError: () => {} });

let unhandled: unknown[] = [];
const record = (reason: unknown): void => void unhandled.push(reason);
let dev: LambdaDevServer | undefined;
beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", record);
});
afterEach(async () => {
  process.off("unhandledRejection", record);
  await dev?.close();
  dev = undefined;
});

/** Sends `GET target` as raw HTTP; the status line of the answer (or a note that none came in 2 s). */
function rawGet(port: number, target: string, host = "127.0.0.1"): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
    );
    let data = "";
    const timer = setTimeout(() => socket.destroy(), 2_000);
    socket.on("data", (chunk) => {
      data += chunk;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(data.split("\r\n")[0] || "(no answer)");
    });
  });
}

describe("serveLambda: a request-target that is not a URL", () => {
  for (const [name, make] of [
    ["handle", () => handle(app())],
    ["streamHandle", () => streamHandle(app())],
  ] as const) {
    it(`gets a 400 and the server keeps serving (${name})`, async () => {
      dev = await serveLambda(make(), { port: 0 });
      expect(await rawGet(dev.port, "http://[/mcp")).toBe("HTTP/1.1 400 Bad Request");
      // Still alive: the next request is served as usual (405: a GET the server does not stream).
      expect(await rawGet(dev.port, "/mcp")).toMatch(/^HTTP\/1\.1 \d{3} /);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    });
  }
});

describe("serveLambda: targets and hosts", () => {
  it("serves an absolute-form target (as a proxy sends it) like its path, not 502", async () => {
    dev = await serveLambda(handle(app()), { port: 0 });
    const path = await rawGet(dev.port, "/mcp");
    expect(path).not.toMatch(/ 502 /);
    expect(await rawGet(dev.port, `http://127.0.0.1:${dev.port}/mcp`)).toBe(path);
  });

  it("answers 400 to a Host that cannot form a URL, and logs no handler failure", async () => {
    dev = await serveLambda(handle(app()), { port: 0 });
    expect(await rawGet(dev.port, "/mcp", "a b")).toBe("HTTP/1.1 400 Bad Request");
    expect(unhandled).toEqual([]);
  });
});
