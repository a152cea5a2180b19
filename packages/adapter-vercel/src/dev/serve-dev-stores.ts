import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
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
  /**
   * The bearer token every request must carry (`Authorization: Bearer <token>`); others get a
   * 401. Default: 32 random bytes, hex. At least 16 characters.
   */
  token?: string;
}

/** A running {@link serveDevStores} server. */
export interface DevStoresServer {
  /** Its origin, e.g. `http://127.0.0.1:41234`: pass it to `devStores(url, { token })`. */
  url: string;
  /** The bearer token its clients must send. */
  token: string;
  /**
   * When it was last busy (epoch ms): `Date.now()` while a call or a subscription is open, else
   * when the last one ended (or the server started). For idle shutdown.
   */
  lastActivity(): number;
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

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
  });
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

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** A check of `Authorization: Bearer <token>` that takes the same time for every wrong token. */
function bearerCheck(token: string): (req: IncomingMessage) => boolean {
  const expected = digest(token);
  return (req) => {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
  };
}

/**
 * Serves memory stores to other processes on this machine (see `devStores`): one process holds
 * the sessions, event logs and bus, every function process reaches them over HTTP, with the
 * server's bearer token. For local development and tests where each request runs in a fresh
 * process (`vercel dev`).
 */
export async function serveDevStores(options: ServeDevStoresOptions = {}): Promise<DevStoresServer> {
  const token = options.token ?? randomBytes(32).toString("hex");
  if (token.length < 16) throw new TypeError("serveDevStores: token must be at least 16 characters");
  const authorized = bearerCheck(token);
  const stores = options.stores ?? memoryStores();
  let open = 0;
  let idleSince = Date.now();
  const server = createServer((req, res) => {
    open += 1;
    res.once("close", () => {
      open -= 1;
      idleSince = Date.now();
    });
    if (!authorized(req)) {
      req.resume();
      send(res, 401, { error: "missing or wrong bearer token" }, { "www-authenticate": "Bearer" });
      return;
    }
    const route = req.url;
    if (req.method !== "POST" || (route !== "/call" && route !== "/subscribe")) {
      req.resume();
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
    url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`,
    token,
    lastActivity: () => (open > 0 ? Date.now() : idleSince),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
