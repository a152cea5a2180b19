/**
 * The adapter inside the real `vercel dev --local` (a fresh function process per request, as the
 * CLI runs functions): the Web signature on the Node.js runtime (default export) and on the Edge
 * runtime (named exports, bundled for the edge VM), and the legacy `(req, res)` signature with
 * Vercel's body helpers on. The functions call back to a probe server in this process.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { initializeBody, legacyPost, modernPost, readJsonRpc } from "@portico/test-kit";
import { sendAs } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVercelDev, type VercelDev } from "../src/dev/index.ts";

const project = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "vercel-project");

/** The probe: `/seen?step=n` answers once the test has seen step n; `/later` counts waitUntil pings. */
function probeServer() {
  const released = new Set<string>();
  const waiting = new Map<string, ServerResponse>();
  let later = 0;
  let onLater: () => void = () => {};
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://probe");
    if (url.pathname === "/later") {
      later += 1;
      onLater();
      res.end("ok");
      return;
    }
    const step = url.searchParams.get("step") ?? "";
    if (released.delete(step)) res.end("go");
    else waiting.set(step, res);
  });
  return {
    server,
    /** Lets the function past step `n`, now or as soon as it asks. */
    release(step: number) {
      const key = String(step);
      const res = waiting.get(key);
      if (res === undefined) released.add(key);
      else {
        waiting.delete(key);
        res.end("go");
      }
    },
    /** Resolves on the next `/later` ping. */
    nextLater: () => new Promise<number>((resolve) => (onLater = () => resolve(later))),
  };
}

const probe = probeServer();
let dev: VercelDev;
let probeUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => probe.server.listen(0, "127.0.0.1", resolve));
  const { port } = probe.server.address() as AddressInfo;
  probeUrl = `http://127.0.0.1:${port}`;
  // What a linked project's pulled variables give `vercel dev` (`--local` alone sets neither).
  dev = await startVercelDev({
    cwd: project,
    env: { PROBE_URL: probeUrl, VERCEL: "1", VERCEL_ENV: "development" },
  });
}, 90_000);

afterAll(async () => {
  await dev?.stop();
  probe.server.closeAllConnections();
  await new Promise((resolve) => probe.server.close(resolve));
});

/** The fixture's functions: Node.js Web default export, Edge named exports, legacy `(req, res)`. */
const FUNCTIONS = ["/api/web", "/api/edge", "/api/legacy"];

const addCall = (origin: string, path: string) =>
  modernPost(`${origin}${path}`, "tools/call", { name: "add", arguments: { a: 2, b: 3 } });

/**
 * Calls `relay`, releasing each step only once its progress event has arrived: were the stream
 * buffered, the first event would never arrive while the tool waits, and the read would time out.
 */
async function relayThrough(request: Request): Promise<void> {
  const response = await fetch(request);
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  const progress: number[] = [];
  const messages = await readJsonRpc(response, {
    timeoutMs: 30_000,
    until(message) {
      if (message.method !== "notifications/progress") return message.result !== undefined;
      progress.push(message.params.progress);
      probe.release(message.params.progress);
      return false;
    },
  });
  expect(progress).toEqual([1, 2, 3]);
  expect(messages.at(-1)?.result).toMatchObject({ content: [{ text: "relayed" }] });
}

describe("vercel dev --local", { timeout: 90_000 }, () => {
  it("Node.js runtime, default export: answers, and streams SSE event by event", async () => {
    const add = await fetch(
      modernPost(`${dev.url}/api/web`, "tools/call", { name: "add", arguments: { a: 2, b: 3 } }),
    );
    expect(await add.json()).toMatchObject({ result: { content: [{ text: "5" }] } });
    await relayThrough(
      modernPost(`${dev.url}/api/web`, "tools/call", {
        name: "relay",
        arguments: {},
        _meta: { progressToken: 1 },
      }),
    );
  });

  it("Node.js runtime: waitUntil keeps the function alive after the response", async () => {
    const pinged = probe.nextLater();
    const res = await fetch(modernPost(`${dev.url}/api/web`, "tools/call", { name: "later", arguments: {} }));
    expect(await res.json()).toMatchObject({ result: { content: [{ text: "answered" }] } });
    // Without waitUntil, vercel dev would end the process before the ping: the test would time out.
    expect(await pinged).toBeGreaterThan(0);
  });

  it("Node.js runtime: maxDuration becomes the deadline that fires the tool's signal", async () => {
    const res = await fetch(modernPost(`${dev.url}/api/web`, "tools/call", { name: "wait", arguments: {} }));
    expect(await res.json()).toMatchObject({ result: { content: [{ text: "TimeoutError" }] } });
  });

  it("legacy (req, res) with Vercel's helpers: sessions across processes, raw bodies, waitUntil, SSE", async () => {
    const url = `${dev.url}/api/legacy`;
    const init = await fetch(legacyPost(url, initializeBody(1)));
    expect(init.status).toBe(200);
    const sessionId = init.headers.get("mcp-session-id") as string;
    await init.arrayBuffer();
    const options = { sessionId, protocolVersion: "2025-11-25" };
    const call = await fetch(
      legacyPost(
        url,
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add", arguments: { a: 1, b: 1 } } },
        options,
      ),
    );
    expect(await call.json()).toMatchObject({ id: 2, result: { content: [{ text: "2" }] } });
    const malformed = await fetch(legacyPost(url, "{not json", options));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: -32700 } });
    const pinged = probe.nextLater();
    const later = await fetch(
      legacyPost(
        url,
        { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "later", arguments: {} } },
        options,
      ),
    );
    expect(await later.json()).toMatchObject({ result: { content: [{ text: "answered" }] } });
    expect(await pinged).toBeGreaterThan(0); // waitUntil through Vercel's request context
    await relayThrough(
      legacyPost(
        url,
        {
          jsonrpc: "2.0",
          id: 3,
          method: "tools/call",
          params: { name: "relay", arguments: {}, _meta: { progressToken: "r" } },
        },
        options,
      ),
    );
  });

  it("refuses a DNS-rebinding request with 403 on both runtimes and signatures, with and without Origin", async () => {
    const { port } = new URL(dev.url);
    const evil = `evil.example.com:${port}`;
    for (const path of FUNCTIONS) {
      for (const browserOrigin of [undefined, `http://${evil}`]) {
        const refused = await sendAs(dev.url, addCall(dev.url, path), evil, browserOrigin);
        expect(refused.status, `${path}, Origin ${browserOrigin}`).toBe(403);
        expect(refused.body).toContain(evil);
        expect(refused.body).toContain("allowedHosts");
      }
      const local = await sendAs(dev.url, addCall(dev.url, path), `localhost:${port}`);
      expect(local.status, `${path}, localhost`).toBe(200);
    }
  });

  it("Edge runtime, named exports: answers and streams", async () => {
    const add = await fetch(
      modernPost(`${dev.url}/api/edge`, "tools/call", { name: "add", arguments: { a: 4, b: 5 } }),
    );
    expect(await add.json()).toMatchObject({ result: { content: [{ text: "9" }] } });
    await relayThrough(
      modernPost(`${dev.url}/api/edge`, "tools/call", {
        name: "relay",
        arguments: {},
        _meta: { progressToken: 1 },
      }),
    );
  });
});

describe("vercel dev --local as a deployment (VERCEL=1, VERCEL_ENV=production)", { timeout: 90_000 }, () => {
  let deployed: VercelDev;

  beforeAll(async () => {
    deployed = await startVercelDev({
      cwd: project,
      env: { PROBE_URL: probeUrl, VERCEL: "1", VERCEL_ENV: "production" },
    });
  }, 90_000);

  afterAll(async () => {
    await deployed?.stop();
  });

  it("a *.vercel.app Host answers 200 with no configuration on both runtimes and signatures", async () => {
    for (const path of FUNCTIONS) {
      const response = await sendAs(
        deployed.url,
        addCall(deployed.url, path),
        "portico-fixture-abc123xyz-team.vercel.app",
      );
      expect(response.status, path).toBe(200);
      expect(response.body).toContain('"text":"5"');
    }
  });
});
