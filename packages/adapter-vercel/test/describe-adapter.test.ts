/**
 * The adapter contract battery through both signatures, in process (the app must live in the test's
 * process): the Web handlers behind a Node.js host that converts like Vercel's, and the legacy
 * `(req, res)` handler behind node:http, with and without Vercel's body helpers.
 * `vercel-dev.test.ts` runs the same handlers in the real `vercel dev`.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { toRequest, writeResponse } from "@portico/adapter-node";
import { describeAdapter } from "@portico/test-kit";
import { handle } from "../src/index.ts";
import { toNodeHandler } from "../src/node/index.ts";

async function listen(listener: RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describeAdapter("vercel handle (Web signature)", (app) => {
  const handlers = handle(app);
  return listen((req, res) => {
    const handler = handlers[req.method as "GET" | "POST" | "DELETE" | "OPTIONS"] ?? handlers.fetch;
    // A Node.js host as Vercel's: the request as a Fetch Request (its signal aborts when the client
    // leaves, as with `supportsCancellation`), the Response streamed back, waitUntil in the context.
    const request = toRequest(req, { res });
    const waitUntil = (promise: Promise<unknown>) => void promise;
    void handler(request, { waitUntil }).then((response) => writeResponse(response, res));
  });
});

describeAdapter("vercel toNodeHandler (legacy signature, NODEJS_HELPERS=0)", (app) =>
  listen(toNodeHandler(app)),
);

/**
 * What Vercel's Node.js helpers do to a request with a Content-Type before the handler runs: read
 * the body, replay it through `req.on("data" | "end")`, and make `req.body` a lazy parser.
 */
async function withVercelHelpers(req: IncomingMessage): Promise<void> {
  if (req.headers["content-type"] === undefined) return;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const replay = new PassThrough();
  const on = replay.on.bind(replay);
  const originalOn = req.on.bind(req);
  req.read = replay.read.bind(replay);
  const patched = ((name: string, listener: (...args: unknown[]) => void) =>
    name === "data" || name === "end" ? on(name, listener) : originalOn(name, listener)) as typeof req.on;
  req.on = patched;
  req.addListener = patched;
  replay.end(raw);
  Object.defineProperty(req, "body", {
    configurable: true,
    enumerable: true,
    get() {
      const value = JSON.parse(raw.toString("utf8") || "{}") as unknown;
      Object.defineProperty(req, "body", { value, writable: true, configurable: true, enumerable: true });
      return value;
    },
  });
}

describeAdapter("vercel toNodeHandler (legacy signature, with Vercel's body helpers)", (app) => {
  const handler = toNodeHandler(app);
  return listen((req, res) => {
    void withVercelHelpers(req).then(() => handler(req, res));
  });
});
