import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { memoryStores, type Stores } from "@portico/core";
import { type CallBody, isStoreKey, OPERATIONS, type StoreName, type SubscribeBody } from "./_wire.ts";

/** Options of {@link serveDevStores}. */
export interface ServeDevStoresOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  hostname?: string;
  /** The stores to share. Default: fresh `memoryStores()`. */
  stores?: Stores;
}

export interface DevStoresServer {
  /** Pass it to `devStores(url)` in the other processes; it carries an unguessable path. */
  url: string;
  close(): Promise<void>;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch (error) {
        reject(error);
      }
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function call(stores: Stores, body: CallBody): Promise<unknown> {
  const store = body.store as StoreName;
  if (!OPERATIONS[store]?.includes(body.op) || !Array.isArray(body.args)) {
    throw new TypeError(`unknown operation ${String(body.store)}.${String(body.op)}`);
  }
  const target = stores[store] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  return await (target[body.op] as (...args: unknown[]) => Promise<unknown>).apply(target, body.args);
}

async function subscribe(stores: Stores, body: SubscribeBody, req: IncomingMessage, res: ServerResponse) {
  if (!isStoreKey(body.topic)) throw new TypeError("topic must be a store key");
  res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
  res.socket?.setNoDelay(true);
  const subscription = await stores.bus.subscribe(body.topic, (message) => {
    res.write(`${JSON.stringify({ message })}\n`);
  });
  res.write(`${JSON.stringify({ ready: true })}\n`);
  const end = (): void => {
    void subscription.unsubscribe();
  };
  if (res.destroyed) end();
  else res.once("close", end);
  req.resume();
}

/**
 * Serves memory stores to other processes on this machine (see `devStores`): one process holds
 * the sessions, event logs and bus, every function process reaches them over HTTP. For local
 * development and tests where each request runs in a fresh process (`vercel dev`).
 */
export async function serveDevStores(options: ServeDevStoresOptions = {}): Promise<DevStoresServer> {
  const stores = options.stores ?? memoryStores();
  const prefix = `/${randomUUID()}`;
  const server = createServer((req, res) => {
    const route = req.url?.startsWith(`${prefix}/`) ? req.url.slice(prefix.length) : undefined;
    if (req.method !== "POST" || (route !== "/call" && route !== "/subscribe")) {
      send(res, 404, { error: "not found" });
      return;
    }
    readJson(req)
      .then((body) =>
        route === "/call"
          ? call(stores, body as CallBody).then((result) => send(res, 200, { result }))
          : subscribe(stores, body as SubscribeBody, req, res),
      )
      .catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else send(res, 400, { error: String(error) });
      });
  });
  const hostname = options.hostname ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, hostname, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}${prefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
