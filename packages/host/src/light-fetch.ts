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
   * An answer without a body (to `HEAD`, a 204, a 304) is never refused for its `Content-Length`.
   */
  maxBytes?: number;
}

/**
 * A request that got an answer whose body could not be read — too large, cut off (the connection
 * lost, a malformed chunk), or its signal aborted meanwhile: `status` says what the answer was, and
 * `cause` is the underlying error, if any. A failure before the answer's head arrived (no
 * connection, a malformed head, an abort) is that error itself.
 */
export class LightFetchError extends Error {
  override readonly name = "LightFetchError";
  readonly status: number;

  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** `error`, met while reading the body of an answer with `status`, as a {@link LightFetchError}. */
function unreadable(error: unknown, status: number): LightFetchError {
  if (error instanceof LightFetchError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const detail = `${typeof code === "string" ? `${code}: ` : ""}${error instanceof Error ? error.message : String(error)}`;
  return new LightFetchError(`the response body could not be read: ${detail}`, status, { cause: error });
}

/** Whether an answer to `method` with `status` has no body, whatever its `Content-Length` says. */
function bodiless(method: string, status: number): boolean {
  return status === 204 || status === 304 || method.toUpperCase() === "HEAD";
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
    // Set once the answer's head arrived: from then on every failure is a LightFetchError with it.
    let answered: number | undefined;
    const fail = (error: Error) => reject(answered === undefined ? error : unreadable(error, answered));
    req.on("error", fail);
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      answered = status;
      const max = init.maxBytes ?? Number.POSITIVE_INFINITY;
      const tooLarge = () => new LightFetchError(`response body larger than ${max} bytes`, status);
      // A HEAD answer, a 204 or a 304 declares the length of a body it does not carry.
      if (!bodiless(init.method, status) && Number(res.headers["content-length"] ?? 0) > max) {
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
      // Node emits the body's failure (ECONNRESET "aborted", a malformed chunk) before "close".
      res.on("error", fail);
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
  const { status } = response;
  let text: string;
  try {
    text =
      maxBytes === undefined || bodiless(init.method, status)
        ? await response.text()
        : await readBoundedText(response, maxBytes, init.signal).then((t) => {
            if (t === undefined)
              throw new LightFetchError(`response body larger than ${maxBytes} bytes`, status);
            return t;
          });
  } catch (error) {
    throw unreadable(error, status);
  }
  return {
    status,
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
