/**
 * An outbound HTTP request for the stores' and adapters' own calls (DynamoDB, Lambda Invoke) that
 * does not load undici on Node. Node's global `fetch` is undici: its first use loads the whole of it
 * (fetch, dispatcher, web streams) — about 100 ms of a Lambda cold start, where node runs with
 * `--expose-gc` and so compiles Node's internal modules without their built-in code cache. On Node
 * (and Bun) this sends the request with `node:http`/`node:https` (loaded through
 * `process.getBuiltinModule`, so no `node:` import reaches other runtimes), keeping connections
 * alive; elsewhere, or on a Node without `process.getBuiltinModule` (< 20.16), it is `fetch`.
 * Redirects are never followed: a 3xx is the answer.
 */

import { nodeBuiltin } from "./_node-builtin.ts";
import { readBoundedText } from "./bounded-body.ts";

/** What {@link lightFetch} sends: a whole text body, plain header fields. */
export interface LightRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /**
   * Refuse a body longer than this many bytes: a declared `Content-Length` over it before reading,
   * else once the bytes read pass it. The rejection is a {@link LightFetchError} with the status.
   */
  maxBytes?: number;
}

/** A request that got an answer whose body could not be read (too large, cut off): `status` says what it was. */
export class LightFetchError extends Error {
  override readonly name = "LightFetchError";
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

/** What it answers: the part of a `Response` the callers read. */
export interface LightResponse {
  readonly status: number;
  readonly ok: boolean;
  /** A response header (case-insensitive), or `null`. */
  header(name: string): string | null;
  text(): Promise<string>;
}

interface NodeIncoming {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  destroy(): void;
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
  readonly complete: boolean;
  on(event: "end" | "close", listener: () => void): void;
  on(event: "error", listener: (error: Error) => void): void;
}

interface NodeClientRequest {
  on(event: "response", listener: (res: NodeIncoming) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  end(body?: string): void;
}

interface NodeHttp {
  request(
    url: URL,
    options: { method: string; headers: Record<string, string>; signal?: AbortSignal },
  ): NodeClientRequest;
}

/** `node:http` now, `node:https` on first need (it loads TLS and Node's crypto: only for https: URLs). */
interface NodeClients {
  http: NodeHttp;
  https(): NodeHttp | undefined;
}

/** `node:http` (and `node:https` on demand) where the runtime has them (Node 20.16+, Bun), else `undefined`. */
function nodeHttp(): NodeClients | undefined {
  // workerd and Deno emulate `node:http` on top of their own fetch: `nodeBuiltin` leaves them to it.
  const client = (id: string): NodeHttp | undefined => {
    const module = nodeBuiltin(id) as NodeHttp | undefined;
    return typeof module?.request === "function" ? module : undefined;
  };
  const http = client("node:http");
  if (http === undefined) return undefined;
  let https: NodeHttp | undefined;
  let httpsLooked = false;
  return {
    http,
    https: () => {
      if (!httpsLooked) {
        https = client("node:https");
        httpsLooked = true;
      }
      return https;
    },
  };
}

/** Looked up once: `node:http` (and `node:https`), or `undefined` (use `fetch`). */
let modules: NodeClients | undefined;
let looked = false;

function viaNode(client: NodeHttp, url: URL, init: LightRequestInit): Promise<LightResponse> {
  return new Promise((resolve, reject) => {
    const options: { method: string; headers: Record<string, string>; signal?: AbortSignal } = {
      method: init.method,
      headers: init.headers,
    };
    if (init.signal !== undefined) options.signal = init.signal;
    const req = client.request(url, options);
    req.on("error", reject);
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const max = init.maxBytes ?? Number.POSITIVE_INFINITY;
      const tooLarge = () => new LightFetchError(`response body larger than ${max} bytes`, status);
      if (Number(res.headers["content-length"] ?? 0) > max) {
        res.destroy();
        reject(tooLarge());
        return;
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      res.on("data", (chunk) => {
        size += chunk.byteLength;
        if (size > max) {
          res.destroy();
          reject(tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", reject);
      // A connection lost mid-body ends without "end": then the answer is incomplete.
      res.on("close", () => {
        if (!res.complete) {
          reject(new LightFetchError("the connection closed before the whole response arrived", status));
        }
      });
      res.on("end", () => {
        const text = decoder.decode(concat(chunks, size));
        resolve({
          status,
          ok: status >= 200 && status < 300,
          header(name) {
            const value = res.headers[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
          },
          text: async () => text,
        });
      });
    });
    req.end(init.body);
  });
}

const decoder = new TextDecoder();

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

async function viaFetch(url: URL, init: LightRequestInit): Promise<LightResponse> {
  const { maxBytes, ...rest } = init;
  // No redirect is followed, as with node:http: the caller sees the 3xx.
  const response = await fetch(url, { ...rest, redirect: "manual" });
  const text =
    maxBytes === undefined
      ? await response.text()
      : await readBoundedText(response, maxBytes, init.signal).then((t) => {
          if (t === undefined)
            throw new LightFetchError(`response body larger than ${maxBytes} bytes`, response.status);
          return t;
        });
  return {
    status: response.status,
    ok: response.ok,
    header: (name) => response.headers.get(name),
    text: async () => text,
  };
}

/** Sends `init` to `url` and reads the whole answer as text (see the module's comment). */
export function lightFetch(url: string | URL, init: LightRequestInit): Promise<LightResponse> {
  if (!looked) {
    modules = nodeHttp();
    looked = true;
  }
  const target = typeof url === "string" ? new URL(url) : url;
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    return Promise.reject(new TypeError(`lightFetch: only http: and https: URLs, not ${target.protocol}`));
  }
  const client =
    modules === undefined ? undefined : target.protocol === "https:" ? modules.https() : modules.http;
  return client === undefined ? viaFetch(target, init) : viaNode(client, target, init);
}
