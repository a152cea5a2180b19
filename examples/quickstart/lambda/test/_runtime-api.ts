/**
 * A local Lambda Runtime API (version 2018-06-01) for tests: the HTTP interface that the official
 * runtime interface client (`aws-lambda-ric`) polls inside an execution environment. One
 * `LocalFunction` is one function; each execution environment (one RIC process) gets its own
 * listener from `addInstance()`, so a test can tell which instance served an invocation.
 * Invocations wait in a queue until an instance long-polls `/next`.
 *
 * Endpoints: `GET /runtime/invocation/next`, `POST /runtime/invocation/{id}/response` (buffered
 * JSON, or `Lambda-Runtime-Function-Response-Mode: streaming` with a chunked body and error
 * trailers), `POST /runtime/invocation/{id}/error`, and `POST /runtime/init/error`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { ErrorOutcome, InvokeOutcome } from "./_invoke-outcome.ts";

const PREFIX = "/2018-06-01/runtime";
const INVOCATION_PATH = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;
const ACCOUNT = "123456789012";
/** How long after its deadline an invocation with no answer is failed as timed out. */
const TIMEOUT_GRACE_MS = 1_000;

export interface InvocationRecord {
  requestId: string;
  event: unknown;
  instance?: number;
  /** When an execution environment got it (`Date.now()`): its deadline counts from here. */
  deliveredAt?: number;
  /** The X-Ray trace header it was delivered with (`Lambda-Runtime-Trace-Id`: `Root=1-…;Parent=…;Sampled=0`). */
  traceHeader?: string;
}

interface Invocation extends InvocationRecord {
  settled: boolean;
  timer?: NodeJS.Timeout;
  settle(outcome: InvokeOutcome): void;
}

interface Instance {
  id: number;
  server: Server;
  state: "ready" | "busy" | "failed" | "gone";
  poll?: ServerResponse | undefined;
  current?: Invocation | undefined;
  initError?: { errorType: string; payload: string };
}

export interface LocalFunctionOptions {
  /** Default `local`. */
  name?: string;
  /** The function's timeout (drives `Lambda-Runtime-Deadline-Ms`). Default 30 000. */
  timeoutMs?: number;
  /** Default `us-east-1`. */
  region?: string;
  /**
   * Called when an invocation's result has fully arrived (a buffered payload, or a stream's last
   * byte) and before the runtime's request for it is answered: the runtime waits for that answer,
   * so a test can see what the function had done (written, sent) by the time it handed its result
   * back — after which Lambda may freeze it.
   */
  onResult?: (result: { requestId: string; instance: number | undefined }) => Promise<void> | void;
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => resolve(body)).on("error", reject);
  });
}

function errorTypeOf(req: IncomingMessage, payload: string): string {
  const header = req.headers["lambda-runtime-function-error-type"];
  if (typeof header === "string") return header;
  try {
    const type = (JSON.parse(payload) as { errorType?: unknown }).errorType;
    if (typeof type === "string") return type;
  } catch {}
  return "Unknown";
}

function traceId(): string {
  const seconds = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${seconds}-${randomBytes(12).toString("hex")};Parent=${randomBytes(8).toString("hex")};Sampled=0`;
}

function accepted(res: ServerResponse): void {
  res.writeHead(202, { "content-type": "application/json" }).end('{"status":"OK"}');
}

function refuse(res: ServerResponse, status: number, errorType: string, errorMessage: string): void {
  res
    .writeHead(status, { "content-type": "application/json" })
    .end(JSON.stringify({ errorType, errorMessage }));
}

export class LocalFunction {
  readonly name: string;
  readonly arn: string;
  readonly timeoutMs: number;
  readonly #onResult: LocalFunctionOptions["onResult"];
  /** Every invocation, in order, with the instance that took it. */
  readonly invocations: InvocationRecord[] = [];
  readonly #instances: Instance[] = [];
  readonly #queue: Invocation[] = [];

  constructor(options: LocalFunctionOptions = {}) {
    this.name = options.name ?? "local";
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.#onResult = options.onResult;
    this.arn = `arn:aws:lambda:${options.region ?? "us-east-1"}:${ACCOUNT}:function:${this.name}`;
  }

  /** A listener for one more execution environment; its address is that RIC's `AWS_LAMBDA_RUNTIME_API`. */
  async addInstance(): Promise<{ id: number; address: string }> {
    const id = this.#instances.length;
    // No request timeout: a streamed answer may last as long as the function runs.
    const server = createServer({ requestTimeout: 0 }, (req, res) => {
      this.#route(instance, req, res).catch(() => res.destroy());
    });
    const instance: Instance = { id, server, state: "ready" };
    this.#instances.push(instance);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return { id, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  /** Invokes the function with `event`; resolves once the answer starts (a stream) or is complete. */
  invoke(event: unknown): Promise<InvokeOutcome> {
    return new Promise((resolve) => {
      const invocation: Invocation = {
        requestId: randomUUID(),
        event,
        settled: false,
        settle: (outcome) => {
          if (invocation.settled) return;
          invocation.settled = true;
          clearTimeout(invocation.timer);
          resolve(outcome);
        },
      };
      this.invocations.push(invocation);
      this.#queue.push(invocation);
      this.#dispatch();
      this.#failQueuedIfNoInstance();
    });
  }

  /** The instance died (its process exited): its invocation fails, and so does the queue if none is left. */
  instanceGone(id: number): void {
    const instance = this.#instances[id];
    if (instance === undefined || instance.state === "gone") return;
    const current = instance.current;
    instance.state = "gone";
    instance.poll?.destroy();
    instance.poll = undefined;
    if (current !== undefined) this.#fail(current, "exit", "Runtime.ExitError", "");
    this.#failQueuedIfNoInstance();
  }

  async close(): Promise<void> {
    for (const instance of this.#instances) this.instanceGone(instance.id);
    for (const invocation of this.#queue.splice(0)) this.#fail(invocation, "exit", "Runtime.Shutdown", "");
    await Promise.all(
      this.#instances.map(
        ({ server }) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  #fail(invocation: Invocation, phase: ErrorOutcome["phase"], errorType: string, payload: string): void {
    invocation.settle({
      kind: "error",
      requestId: invocation.requestId,
      instance: invocation.instance,
      phase,
      errorType,
      payload,
    });
  }

  /** With instances started but none able to run anything, queued invocations would wait forever. */
  #failQueuedIfNoInstance(): void {
    const instances = this.#instances;
    if (instances.length === 0 || instances.some((i) => i.state === "ready" || i.state === "busy")) return;
    const initError = instances.find((i) => i.initError !== undefined)?.initError;
    for (const invocation of this.#queue.splice(0)) {
      if (initError === undefined) this.#fail(invocation, "exit", "Runtime.ExitError", "");
      else this.#fail(invocation, "init", initError.errorType, initError.payload);
    }
  }

  #dispatch(): void {
    for (const instance of this.#instances) {
      const poll = instance.poll;
      if (poll === undefined || instance.state !== "ready") continue;
      const invocation = this.#queue.shift();
      if (invocation === undefined) return;
      instance.poll = undefined;
      instance.state = "busy";
      instance.current = invocation;
      invocation.instance = instance.id;
      invocation.deliveredAt = Date.now();
      invocation.traceHeader = traceId();
      const deadline = invocation.deliveredAt + this.timeoutMs;
      invocation.timer = setTimeout(
        () => this.#fail(invocation, "timeout", "Sandbox.Timedout", ""),
        this.timeoutMs + TIMEOUT_GRACE_MS,
      );
      poll
        .writeHead(200, {
          "content-type": "application/json",
          "lambda-runtime-aws-request-id": invocation.requestId,
          "lambda-runtime-deadline-ms": String(deadline),
          "lambda-runtime-invoked-function-arn": this.arn,
          "lambda-runtime-trace-id": invocation.traceHeader,
        })
        .end(JSON.stringify(invocation.event));
    }
  }

  async #route(instance: Instance, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? "";
    if (req.method === "GET" && path === `${PREFIX}/invocation/next`) {
      this.#next(instance, res);
      return;
    }
    const match = INVOCATION_PATH.exec(path);
    if (req.method === "POST" && path === `${PREFIX}/init/error`) {
      await this.#initError(instance, req, res);
    } else if (req.method === "POST" && match !== null) {
      const id = decodeURIComponent(match[1] as string);
      const invocation = instance.current;
      if (invocation === undefined || invocation.requestId !== id) {
        req.resume();
        refuse(res, 400, "InvalidRequestID", `Invalid request ID: ${id}`);
      } else if (match[2] === "error") {
        await this.#error(invocation, req, res);
      } else {
        await this.#response(invocation, req, res);
      }
    } else {
      req.resume();
      refuse(res, 404, "NotFound", `No such endpoint: ${req.method} ${path}`);
    }
  }

  #next(instance: Instance, res: ServerResponse): void {
    if (instance.state === "gone" || instance.state === "failed") {
      refuse(res, 403, "InvalidStateTransition", "This instance cannot take invocations");
      return;
    }
    // The runtime asks for the next event once it is done with the current one.
    instance.current = undefined;
    instance.state = "ready";
    instance.poll = res;
    res.once("close", () => {
      if (instance.poll === res) instance.poll = undefined;
    });
    this.#dispatch();
  }

  async #initError(instance: Instance, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const payload = await readAll(req);
    instance.state = "failed";
    instance.initError = { errorType: errorTypeOf(req, payload), payload };
    accepted(res);
    this.#failQueuedIfNoInstance();
  }

  async #error(invocation: Invocation, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const payload = await readAll(req);
    this.#fail(invocation, "invoke", errorTypeOf(req, payload), payload);
    accepted(res);
  }

  async #response(invocation: Invocation, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const responseMode = req.headers["lambda-runtime-function-response-mode"];
    const contentType = req.headers["content-type"] ?? "application/json";
    const base = { requestId: invocation.requestId, instance: invocation.instance, contentType };
    if (responseMode !== "streaming") {
      const payload = await readAll(req);
      await this.#onResult?.(base);
      invocation.settle({ kind: "buffered", ...base, payload });
      return accepted(res);
    }
    if (invocation.settled) {
      // Too late (timed out): drain it so the runtime can move on.
      req.resume();
      req.once("end", () => accepted(res));
      return;
    }
    const end = new Promise<{ trailers: Record<string, string>; complete: boolean }>((resolve) => {
      let ended = false;
      req.once("end", async () => {
        ended = true;
        await this.#onResult?.(base);
        resolve({ trailers: { ...req.trailers } as Record<string, string>, complete: true });
        accepted(res);
      });
      // A body cut short (the runtime's connection lost); after an end, the end's own answer settles it.
      req.once("close", () => {
        if (!ended) resolve({ trailers: {}, complete: req.complete });
      });
    });
    const body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    invocation.settle({ kind: "streaming", ...base, responseMode, body, end });
  }
}
