/**
 * lightFetch: the stores' outbound request without undici on Node (node:http/https through
 * process.getBuiltinModule), and `fetch` where that is missing. Real servers on 127.0.0.1.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LightFetchError, lightFetch } from "../src/index.ts";

let server: Server;
let base = "";
const seen: { method?: string; headers: IncomingMessage["headers"]; body: string }[] = [];
let closedEarly = 0;

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.push({ method: req.method, headers: req.headers, body });
  if (req.url === "/echo") {
    res.writeHead(201, { "content-type": "text/plain; charset=utf-8", "x-Reply": "yes" });
    // "é" and "€" split across writes: the text must come back whole.
    const bytes = Buffer.from(`got ${body} é€`);
    res.write(bytes.subarray(0, bytes.length - 2));
    setTimeout(() => res.end(bytes.subarray(bytes.length - 2)), 5);
  } else if (req.url === "/missing") {
    res.writeHead(404).end("nope");
  } else if (req.url === "/cut") {
    res.writeHead(200, { "content-length": "100" });
    res.write("partial");
    setTimeout(() => res.socket?.destroy(), 5);
  } else if (req.url === "/big") {
    res.writeHead(200, { "content-length": "2000" }).end("x".repeat(2000));
  } else if (req.url === "/big-chunked") {
    res.writeHead(200);
    res.write("y".repeat(800));
    setTimeout(() => res.end("y".repeat(800)), 5);
  } else if (req.url === "/moved") {
    res.writeHead(302, { location: "/echo" }).end();
  } else if (req.url === "/hang") {
    res.on("close", () => {
      if (!res.writableEnded) closedEarly++;
    });
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => route(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("lightFetch", () => {
  it("sends the method, headers and body, and reads status, headers and the whole text", async () => {
    const response = await lightFetch(`${base}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-amz-target": "DynamoDB_20120810.GetItem" },
      body: '{"a":"ü"}',
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.header("X-REPLY")).toBe("yes");
    expect(response.header("x-absent")).toBeNull();
    expect(await response.text()).toBe('got {"a":"ü"} é€');
    const last = seen.at(-1);
    expect(last?.method).toBe("POST");
    expect(last?.headers["x-amz-target"]).toBe("DynamoDB_20120810.GetItem");
    expect(last?.body).toBe('{"a":"ü"}');
  });

  it("answers a non-2xx status as not ok, with its body", async () => {
    const response = await lightFetch(new URL(`${base}/missing`), { method: "GET", headers: {} });
    expect([response.status, response.ok, await response.text()]).toStrictEqual([404, false, "nope"]);
  });

  it("fails when the connection closes before the whole body arrived", async () => {
    await expect(lightFetch(`${base}/cut`, { method: "GET", headers: {} })).rejects.toThrow();
  });

  it("gives up at its signal's timeout, closing the connection", async () => {
    const before = closedEarly;
    const started = Date.now();
    await expect(
      lightFetch(`${base}/hang`, { method: "GET", headers: {}, signal: AbortSignal.timeout(100) }),
    ).rejects.toMatchObject({ name: expect.stringMatching(/AbortError|TimeoutError/) });
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect.poll(() => closedEarly).toBe(before + 1);
  });

  it("fails at once when the server is not there", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(lightFetch(`http://127.0.0.1:${port}/`, { method: "GET", headers: {} })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it("speaks TLS for https: and verifies the server's certificate (a self-signed one is refused)", async () => {
    // A throwaway test certificate for 127.0.0.1 (fixtures/), trusted by nothing.
    const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
    const tls = createHttpsServer(
      { key: fixture("self-signed-key.pem"), cert: fixture("self-signed-cert.pem") },
      (_req, res) => res.end("secret"),
    );
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/`;
    try {
      await expect(lightFetch(url, { method: "GET", headers: {} })).rejects.toThrow(/self[- ]signed/i);
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });

  it.each([
    ["a declared Content-Length", "/big"],
    ["the bytes read (no Content-Length)", "/big-chunked"],
  ])("refuses a body over maxBytes by %s, saying the status it came with", async (_, path) => {
    const failure = await lightFetch(`${base}${path}`, { method: "GET", headers: {}, maxBytes: 1000 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(LightFetchError);
    expect(failure).toMatchObject({ status: 200, message: "response body larger than 1000 bytes" });
  });

  it("never follows a redirect: the 3xx is the answer", async () => {
    const response = await lightFetch(`${base}/moved`, { method: "GET", headers: {} });
    expect([response.status, response.header("location")]).toStrictEqual([302, "/echo"]);
  });

  it("refuses a URL that is not http: or https:", async () => {
    await expect(lightFetch("file:///etc/passwd", { method: "GET", headers: {} })).rejects.toThrow(
      "only http: and https: URLs, not file:",
    );
  });

  it.each([
    ["with process.getBuiltinModule: node:http, no undici", "", false],
    ["without it (Node < 20.16, other runtimes): fetch", "delete process.getBuiltinModule;", true],
  ])("in a fresh Node %s", async (_, prelude, undici) => {
    const source = fileURLToPath(new URL("../src/light-fetch.ts", import.meta.url));
    const script = `${prelude}
const { lightFetch } = await import(${JSON.stringify(source)});
const r = await lightFetch(${JSON.stringify(`${base}/echo`)}, { method: "POST", headers: {}, body: "x" });
console.log(JSON.stringify({ status: r.status, text: await r.text(), undici: process.moduleLoadList.some((m) => m.includes("undici")) }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toStrictEqual({ status: 201, text: "got x é€", undici });
  });
});
