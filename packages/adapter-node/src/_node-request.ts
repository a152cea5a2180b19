import type { IncomingMessage, ServerResponse } from "node:http";
import { REAL_REQUEST_GETTERS } from "@portico/host";
import { delegateByName, inheritPlatform } from "./_delegate.ts";
import { disconnectSignal } from "./_disconnect.ts";
import { dropUnread } from "./_drain.ts";
import { type NodeHeaders, nodeHeadersInheritPlatform } from "./_node-headers.ts";
import { readableToWeb } from "./_readable-to-web.ts";

const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/** The request line and headers say whether a body follows (RFC 9112 §6.3). */
function declaresBody(method: string, headers: NodeHeaders): boolean {
  if (method === "GET" || method === "HEAD") return false;
  if (headers.has("transfer-encoding")) return true;
  const length = headers.get("content-length");
  return length !== null && length !== "0";
}

/** The Content-Length of a body that is not chunked, if it is a plain decimal. */
function declaredLength(headers: NodeHeaders): number | undefined {
  if (headers.has("transfer-encoding")) return undefined;
  const length = headers.get("content-length");
  return length !== null && /^\d{1,15}$/.test(length) ? Number(length) : undefined;
}

function abortedError(): DOMException {
  return new DOMException("The client closed the connection", "AbortError");
}

/**
 * The whole body of an unread `IncomingMessage`, straight from its buffer or its `data` events.
 * `length` is the declared Content-Length, if any.
 */
function readAll(req: IncomingMessage, length: number | undefined): Buffer | Promise<Buffer> {
  if (!req.complete && length !== undefined) {
    // Node hands the request over as soon as its headers are parsed; a small body that came in the
    // same packet is parsed right after, in the same task. One microtask later it usually sits
    // whole in the stream's buffer and is taken as it is, far cheaper than listening for it.
    return Promise.resolve().then(() =>
      req.readableLength === length ? takeBuffered(req) : readAll(req, undefined),
    );
  }
  if (req.complete && !req.readableFlowing) return takeBuffered(req);
  return listen(req);
}

/** What the stream holds, taken synchronously; the stream then ends as usual. */
function takeBuffered(req: IncomingMessage): Buffer | Promise<Buffer> {
  const buffered = req.read() as Buffer | null;
  if (buffered === null && req.readableLength === 0 && req.complete) return EMPTY;
  if (buffered !== null && req.readableLength === 0) {
    req.resume(); // lets 'end' fire, so nothing waits on a stream that was drained by hand
    return buffered;
  }
  if (buffered !== null) req.unshift(buffered);
  return listen(req);
}

/** The body from the stream's events. */
function listen(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.byteLength;
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: unknown): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      if (!req.complete) onError(abortedError());
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

function arrayBufferOf(bytes: Buffer): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

const EMPTY = Buffer.alloc(0);

const unusable = (): TypeError => new TypeError("Body is unusable: Body has already been read");

/**
 * A Fetch `Request` over a Node `IncomingMessage` that builds only what the app touches: headers on
 * first access, the signal's listener on first access, and the body read whole from the socket by
 * `text()` / `json()` / `arrayBuffer()` / `bytes()` — a web stream only if the app asks for
 * `body`. Any other member (`clone()`, `formData()`, `cache`, …) is served by a real `Request` made
 * on demand. It inherits `Request.prototype` (so `instanceof Request` holds) once
 * {@link nodeRequestInheritPlatform} ran — for every app that does not `acceptsBufferedRequests`.
 */
export class NodeRequest {
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse | undefined;
  readonly #url: string;
  readonly #hasBody: boolean;
  readonly #headers: NodeHeaders;
  #signal: AbortSignal | undefined;
  #stream: ReadableStream<Uint8Array> | undefined;
  #used = false;
  #real: Request | undefined;

  constructor(req: IncomingMessage, url: string, headers: NodeHeaders, res?: ServerResponse) {
    const method = req.method ?? "GET";
    if (FORBIDDEN_METHODS.has(method)) throw new TypeError(`'${method}' HTTP method is unsupported.`);
    this.#req = req;
    this.#res = res;
    this.#url = url;
    this.#headers = headers;
    this.#hasBody = declaresBody(method, headers);
  }

  get method(): string {
    return this.#req.method ?? "GET";
  }

  get url(): string {
    return this.#url;
  }

  get headers(): Headers {
    return this.#headers as unknown as Headers;
  }

  get signal(): AbortSignal {
    this.#signal ??= disconnectSignal(this.#req, this.#res);
    return this.#signal;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#real !== undefined) return this.#real.body;
    if (!this.#hasBody) return null;
    this.#stream ??= readableToWeb(this.#req, this.#res);
    return this.#stream;
  }

  get bodyUsed(): boolean {
    if (this.#real !== undefined) return this.#real.bodyUsed;
    return this.#used || (this.#stream?.locked ?? false);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#read(arrayBufferOf);
  }

  bytes(): Promise<Uint8Array<ArrayBuffer>> {
    // A plain view over the received memory: no copy, and no Buffer subclass leaking to the app.
    return this.#read((b) => new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength));
  }

  text(): Promise<string> {
    return this.#read((b) => b.toString("utf8"));
  }

  json(): Promise<unknown> {
    return this.text().then(JSON.parse);
  }

  /**
   * Drops what the app left unread, so a kept-alive connection stays usable — up to a cap
   * (`dropRest`, `dropUnread`): past it, the connection closes once the response is out.
   */
  discardUnread(): void {
    if (this.#real !== undefined) {
      const body = this.#real.body;
      if (body !== null && !body.locked) body.cancel().catch(() => {});
    } else if (this.#stream !== undefined) {
      if (!this.#stream.locked) this.#stream.cancel().catch(() => {});
    } else if (this.#hasBody && !this.#used) {
      this.#used = true;
      dropUnread(this.#req, this.#res, declaredLength(this.#headers));
    }
  }

  /** The body through `convert`; one promise, settled at once when the body is already here. */
  #read<T>(convert: (bytes: Buffer) => T): Promise<T> {
    try {
      const bytes = this.#bytes();
      return bytes instanceof Promise ? bytes.then(convert) : Promise.resolve(convert(bytes));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #bytes(): Buffer | Promise<Buffer> {
    if (this.#real !== undefined || this.#stream !== undefined) {
      return this.#realRequest()
        .arrayBuffer()
        .then((ab) => Buffer.from(ab));
    }
    if (this.#used) throw unusable();
    this.#used = true;
    if (!this.#hasBody) return EMPTY;
    return readAll(this.#req, declaredLength(this.#headers));
  }

  /** The real `Request` behind this one, for the members it does not implement itself. */
  #realRequest(): Request {
    if (this.#real === undefined) {
      const body = this.#used ? null : this.body;
      const init: RequestInit & { duplex?: "half" } = {
        method: this.method,
        headers: this.headers,
        body,
        signal: this.signal,
      };
      if (body !== null) init.duplex = "half";
      this.#real = new Request(this.#url, init);
    }
    return this.#real;
  }

  /** @internal Used by the delegating members below. */
  static realOf(request: NodeRequest): Request {
    return request.#realRequest();
  }
}

delegateByName(NodeRequest, REAL_REQUEST_GETTERS, ["blob", "clone", "formData"], (self: NodeRequest) =>
  NodeRequest.realOf(self),
);
Object.defineProperty(NodeRequest.prototype, Symbol.toStringTag, { value: "Request" });

/**
 * Makes `NodeRequest` (and its headers) pass `instanceof Request` / `instanceof Headers`, for apps
 * that did not declare `acceptsBufferedRequests`. Loads undici: a Portico handler never calls it.
 */
export function nodeRequestInheritPlatform(): void {
  inheritPlatform(NodeRequest, () => Request);
  nodeHeadersInheritPlatform();
}
