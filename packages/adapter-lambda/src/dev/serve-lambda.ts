import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { isTimerMs, listenError, listenPort, timerRange } from "@portico/host";
import type { EventKind } from "../_strategy.ts";
import type { LambdaContextLike, LambdaHttpResult } from "../_types.ts";
import { fromResult, type ToEventOptions, toEvent } from "../to-event.ts";
import { invokeRefusal } from "./_invoke-guard.ts";
import { type DevResponseStream, devResponseStream, installAwslambda, STREAMING } from "./polyfill.ts";

/** Options of {@link serveLambda}. `sourceIp` is not one: each event gets its request's TCP peer. */
export interface ServeLambdaOptions extends Omit<ToEventOptions, "sourceIp"> {
  /** Default: `PORT` or 3000; 0 picks a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  hostname?: string;
  /** Event kind to produce: `v2` (HTTP API / Function URL, default), `v1` (REST) or `alb`. */
  kind?: EventKind;
  /**
   * The function's timeout, for `getRemainingTimeInMillis()` (the handler's `ctx.deadline`, which
   * timers wait for). Default 30 s; 1 to 2^31−1 ms (about 24.8 days, the longest a timer waits),
   * else `serveLambda` throws a `RangeError`.
   */
  timeoutMs?: number;
  /**
   * The events' `requestContext.domainName` (v1, v2), which the handler passes on as
   * `ctx.routedHosts`. Default: the server's own address (`127.0.0.1:PORT`), never the `Host` a
   * client sent — a page under a foreign name that resolves to 127.0.0.1 (DNS rebinding) is
   * refused by the core's Host check, as it would be by API Gateway's routing.
   */
  domainName?: string;
  /**
   * Largest HTTP request body read, in bytes; larger ones get 413 without being read further (as
   * Lambda refuses invocation payloads over 6 MB). Default 6 MB. The Invoke API path has Lambda's
   * own limit for asynchronous invocations instead (1 MB).
   */
  maxBodyBytes?: number;
}

/** A body over the dev server's limit (answered 413). */
class BodyTooLarge extends Error {}

export interface LambdaDevServer {
  url: string;
  port: number;
  server: Server;
  /** Stops listening; asynchronous invocations still running go on (their work is the app's). */
  close(): Promise<void>;
  /** Settles when every asynchronous invocation started so far has ended. */
  idle(): Promise<void>;
}

type AnyHandler = (event: unknown, ...rest: unknown[]) => Promise<unknown>;

/** The Lambda API's `Invoke` (`POST /2015-03-31/functions/{name}/invocations`). */
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

function contextFor(timeoutMs: number): LambdaContextLike & { functionName: string } {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: randomUUID(),
    functionName: "portico-local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/**
 * Lambda's limit on the payload of an asynchronous (`Event`) invocation: 1 MB, read as 1 MiB (it was
 * 256 KB until October 2025; synchronous invocations take 6 MB).
 * https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html
 */
const EVENT_PAYLOAD_LIMIT = 1_048_576;

/**
 * Answers an Invoke API error as Lambda does (`{"message"}`, the error's type in `X-Amzn-ErrorType`)
 * and closes the connection: the payload is left unread.
 */
function invokeError(res: ServerResponse, status: number, message: string, type?: string): void {
  const headers: Record<string, string> = { "content-type": "application/json", connection: "close" };
  if (type !== undefined) headers["x-amzn-errortype"] = type;
  res.writeHead(status, headers).end(JSON.stringify({ message }));
}

/**
 * Lambda's answer to a payload over its limit, sent without reading the rest of it: the connection
 * closes once the answer is out.
 */
function payloadTooLarge(req: IncomingMessage, res: ServerResponse, size?: number): void {
  req.pause();
  const what = size === undefined ? "payload" : `${size} byte payload`;
  invokeError(
    res,
    413,
    `${what} is too large for the Event invocation type (limit ${EVENT_PAYLOAD_LIMIT} bytes)`,
    "RequestEntityTooLargeException",
  );
}

/**
 * The local stand-in of Lambda's asynchronous `Invoke` (`X-Amz-Invocation-Type: Event`), which
 * `invokeSelf()` of a task calls when `AWS_ENDPOINT_URL_LAMBDA` (or its `endpoint`) points here:
 * 202 at once, then the event runs as a new invocation of the same handler. The signature is not
 * checked (this server listens on loopback), but a request from a web page is refused with 403
 * (`invokeRefusal`: a foreign `Host`, as after DNS rebinding, or any `Origin`); so are other
 * invocation types (400), and payloads over Lambda's limit get its 413, all without reading the
 * payload further. `ownHost` is the address the server listens on.
 */
function invokeApi(
  req: IncomingMessage,
  res: ServerResponse,
  ownHost: string,
  start: (event: unknown) => void,
): void {
  const refusal = invokeRefusal(req.headers, ownHost);
  if (refusal !== undefined) {
    req.pause();
    invokeError(res, 403, refusal);
    return;
  }
  if (req.headers["x-amz-invocation-type"] !== "Event") {
    req.pause();
    invokeError(res, 400, "the local Lambda API only takes asynchronous (Event) invocations");
    return;
  }
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > EVENT_PAYLOAD_LIMIT) {
    payloadTooLarge(req, res, declared);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.byteLength;
    if (size <= EVENT_PAYLOAD_LIMIT) {
      chunks.push(chunk);
      return;
    }
    req.off("data", onData);
    req.off("end", onEnd);
    chunks.length = 0;
    payloadTooLarge(req, res);
  };
  const onEnd = (): void => {
    let event: unknown;
    try {
      event = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    } catch {
      res
        .writeHead(400, { "content-type": "application/json" })
        .end('{"message":"Could not parse request body into json"}');
      return;
    }
    res.writeHead(202, { "content-type": "application/json" }).end("");
    start(event);
  };
  req.on("data", onData);
  req.on("end", onEnd);
}

/** A response stream nobody reads (an asynchronous invocation's answer is dropped, as on Lambda). */
function discardedStream(): DevResponseStream {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  Object.assign(sink, { writeHead: () => sink, flushHeaders: () => {}, headersSent: false });
  return devResponseStream(sink as unknown as ServerResponse);
}

async function invokeAsync(
  run: AnyHandler,
  streaming: boolean,
  event: unknown,
  timeoutMs: number,
): Promise<void> {
  try {
    if (streaming) await run(event, discardedStream(), contextFor(timeoutMs));
    else await run(event, contextFor(timeoutMs));
  } catch (error) {
    console.error("[portico-lambda-dev] an asynchronous invocation failed:", error);
  }
}

/**
 * The request's TCP peer (`socket.remoteAddress`, https://nodejs.org/api/net.html#socketremoteaddress),
 * an IPv4-mapped IPv6 one as plain IPv4: what API Gateway records as `sourceIp`. Never a header.
 */
function peerOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress;
  if (address === undefined || address === "") return "127.0.0.1";
  return /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1] ?? address;
}

async function toFetchRequest(req: IncomingMessage, url: string, limit: number): Promise<Request> {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  if (Number(req.headers["content-length"] ?? 0) > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" || chunks.length === 0 ? null : Buffer.concat(chunks);
  return new Request(url, { method, headers, body });
}

/** 400 for a request that cannot become an event; the connection closes, its body unread. */
function badRequest(req: IncomingMessage, res: ServerResponse): void {
  req.pause();
  res.writeHead(400, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Bad Request" } }));
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const flat: string[] = [];
  for (const [name, value] of response.headers) if (name !== "set-cookie") flat.push(name, value);
  for (const cookie of response.headers.getSetCookie()) flat.push("set-cookie", cookie);
  const body = new Uint8Array(await response.arrayBuffer());
  res.writeHead(response.status, flat);
  res.end(body);
}

/**
 * Serves a Lambda handler (buffered `handle()` or streaming `streamHandle()`) on 127.0.0.1 for local
 * development: every HTTP request becomes an event of `kind` (its `domainName` the server's own
 * address, so only localhost names pass the core's Host check; its `sourceIp` the request's TCP
 * peer, as API Gateway records it) with a Lambda-like context, and the
 * result (or the response stream) goes back as the HTTP response — so the MCP Inspector and SDK
 * clients can connect. Installs the `awslambda` stand-in, so import the handler module after calling
 * `installAwslambda()` (the CLI does).
 */
export async function serveLambda(handler: unknown, opts: ServeLambdaOptions = {}): Promise<LambdaDevServer> {
  installAwslambda();
  if (typeof handler !== "function") throw new TypeError("serveLambda needs a handler function");
  if (opts.timeoutMs !== undefined && !isTimerMs(opts.timeoutMs, 1)) {
    throw new RangeError(`serveLambda: timeoutMs must be ${timerRange(1)}, got ${String(opts.timeoutMs)}`);
  }
  const run = handler as AnyHandler;
  const streaming = (handler as { [STREAMING]?: boolean })[STREAMING] === true;
  const kind = opts.kind ?? "v2";
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // Known once listening; no request is served before.
  let domainName = opts.domainName ?? "127.0.0.1";
  let ownHost = "127.0.0.1";
  const background = new Set<Promise<unknown>>();
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Read before the body: a socket forgets its peer once the client has gone.
    const sourceIp = peerOf(req);
    const target = req.url ?? "/";
    if (!URL.canParse(target, "http://local")) {
      // A request-target that is no URL (`GET http://[/mcp`): API Gateway would refuse it too.
      badRequest(req, res);
      return;
    }
    const parsed = new URL(target, "http://local");
    const invokePath = INVOKE_PATH.exec(parsed.pathname);
    if (req.method === "POST" && invokePath !== null) {
      invokeApi(req, res, ownHost, (event) => {
        const done = invokeAsync(run, streaming, event, timeoutMs).finally(() => background.delete(done));
        background.add(done);
      });
      return;
    }
    // The path alone: an absolute-form target (`GET http://x/mcp`, as proxies send) names its host
    // in the Host header too. A Host that cannot form a URL is refused, as API Gateway would.
    const url = `http://${req.headers.host ?? domainName}${parsed.pathname}${parsed.search}`;
    if (!URL.canParse(url)) {
      badRequest(req, res);
      return;
    }
    try {
      const request = await toFetchRequest(req, url, opts.maxBodyBytes ?? 6 * 1024 * 1024);
      const event = await toEvent(request, kind, { ...opts, domainName, sourceIp });
      const context = contextFor(timeoutMs);
      if (streaming) {
        await run(event, devResponseStream(res), context);
        if (!res.writableEnded) res.end();
        return;
      }
      await writeResponse(fromResult((await run(event, context)) as LambdaHttpResult), res);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        // Answer at once and close: the rest of the upload is not read.
        res.writeHead(413, { "content-type": "application/json", connection: "close" });
        res.end(
          JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Payload Too Large" } }),
        );
        return;
      }
      console.error("[portico-lambda-dev] the handler failed:", error);
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32603, message: "Bad Gateway" } }));
    }
  };
  // Nothing a request does may reject unhandled (that would end the process).
  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      console.error("[portico-lambda-dev] a request failed:", error);
      res.destroy();
    });
  });
  const port = listenPort(opts.port, process.env.PORT);
  const hostname = opts.hostname ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(listenError(error, port, hostname, "PORT=… or --port N")));
    server.listen(port, hostname, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  ownHost = host;
  domainName = opts.domainName ?? `${host}:${address.port}`;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    async idle() {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
}
