/**
 * One MCP request being served, in either era: it owns the request's abort signal, its exchange
 * (the way back to the client: JSON, or SSE once something is sent ahead of the answer), its
 * `waitUntil`, and is its own handler context; it runs the request through the middleware to its
 * method and answers. Each era supplies only what differs ({@link EraLink}): version and client
 * facts, how to ask the client for input, how a stream persists, how cancellation is heard.
 */
import { principalOf } from "../auth/principal.ts";
import type { Era, HandlerContext, InputRequest } from "../definition/context.ts";
import type { LogFields, Logger } from "../definition/logger.ts";
import type { InputWrapper, McpCall, McpResult, MethodSpec, SessionHandle } from "../definition/method.ts";
import type { McpServer } from "../definition/server.ts";
import type { AuthInfo } from "../definition/types.ts";
import { ErrorCode, type ErrorReporter, isStoreUnavailable, TaskStartSignal } from "../errors.ts";
import { droppedNotifications, Exchange, type ExchangeOptions } from "../http/exchange.ts";
import { RefusedError } from "../http/refused.ts";
import { jsonResponse, storeUnavailable } from "../http/responses.ts";
import {
  errorMessage,
  type JsonRpcError,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  resultMessage,
} from "../jsonrpc/messages.ts";
import type { LogLevel } from "../jsonrpc/protocol.ts";
import { toWireError } from "../jsonrpc/wire-error.ts";
import { runChain } from "../methods/chain.ts";
import type { Stores } from "../stores/types.ts";
import { isInstance } from "../util/is-instance.ts";
import { RequestAbort } from "./_abort.ts";
import { CallContext } from "./_context.ts";
import { consoleLogger } from "./console-logger.ts";
import { type Incoming, type Runtime, waitUntilOf } from "./runtime.ts";

/** What an era tells a call. */
export interface EraLink {
  readonly era: Era;
  readonly protocolVersion: string;
  readonly sessionId: string | undefined;
  readonly clientCapabilities: Record<string, unknown>;
  readonly clientInfo: Record<string, unknown> | undefined;
  readonly session: SessionHandle | undefined;
  /** The level the client asked for; `undefined` sends no log notifications. */
  logLevel(): LogLevel | undefined;
  /** Asks the client for input on behalf of the handler. */
  ask(requests: Record<string, InputRequest>, call: Call): Promise<Record<string, unknown>>;
  /** Ends the live HTTP stream with a retry hint while the handler runs on (legacy SSE polling). */
  closeStream(retryMs?: number): void;
  /** The first time the handler observes its signal (legacy: start hearing cancellation). */
  observe?(call: Call): void;
  /** When the method has returned or thrown (legacy: stop hearing cancellation). */
  done?(): void;
  /**
   * Headers of every answer and the persistence of its events (legacy: a stream that can be resumed
   * with `Last-Event-ID`); `canStream: false` when nothing may be sent ahead of the answer. A call
   * whose stream is resumable goes on when the client drops it; one whose stream is not is aborted.
   */
  readonly stream?: Pick<ExchangeOptions, "headers" | "persist" | "primingRetryMs" | "canStream">;
  /** Modern era: the answers of earlier MRTR rounds and this request's `inputResponses`. */
  readonly answers?: Record<string, unknown>;
  /** A task's run (not the client's request). */
  readonly inTask?: boolean;
  /** A task's run: its saved progress, and how to save more. */
  readonly checkpoint?: { readonly value: unknown; save(value: unknown): Promise<void> };
}

export class Call extends CallContext implements McpCall {
  declare readonly method: string;
  declare params: Record<string, unknown>;
  declare readonly requestId: string | number;
  declare readonly target: string | undefined;
  declare readonly era: Era;
  declare readonly protocolVersion: string;
  declare readonly sessionId: string | undefined;
  declare readonly auth: AuthInfo | undefined;
  declare readonly env: unknown;
  declare readonly headers: Headers;
  declare readonly clientCapabilities: Record<string, unknown>;
  declare readonly clientInfo: Record<string, unknown> | undefined;
  declare readonly session: SessionHandle | undefined;
  declare readonly definitions: McpServer;
  declare readonly spec: MethodSpec;
  declare readonly exchange: Exchange;
  declare readonly rt: Runtime;
  declare readonly incoming: Incoming;
  declare readonly link: EraLink;
  readonly #abort: RequestAbort;
  #state: Record<string, unknown> | undefined;
  #observed = false;
  #waitUntil: ((promise: Promise<unknown>) => void) | undefined;
  #logger: Logger | undefined;
  #report: ErrorReporter | undefined;
  #inputWrappers: InputWrapper[] | undefined;
  /** Set by the tasks engine: `ctx.startTask()` makes this call a task. */
  taskable = false;

  constructor(rt: Runtime, incoming: Incoming, message: JsonRpcRequest, spec: MethodSpec, link: EraLink) {
    super();
    this.rt = rt;
    this.incoming = incoming;
    this.link = link;
    this.method = message.method;
    this.params = message.params ?? {};
    this.requestId = message.id;
    this.spec = spec;
    const named = spec.nameParam === undefined ? undefined : this.params[spec.nameParam];
    this.target = typeof named === "string" ? named : undefined;
    this.era = link.era;
    this.protocolVersion = link.protocolVersion;
    this.sessionId = link.sessionId;
    this.auth = incoming.auth;
    this.env = incoming.env;
    this.headers = incoming.request.headers;
    this.clientCapabilities = link.clientCapabilities;
    this.clientInfo = link.clientInfo;
    this.session = link.session;
    this.definitions = rt.server;
    const resumable = link.stream?.persist !== undefined;
    const options: ExchangeOptions = {
      ...link.stream,
      keepAliveMs: rt.options.keepAliveMs,
      canStream: incoming.host.canStream !== false && link.stream?.canStream !== false,
    };
    if (!resumable) {
      // Through a local: a function literal assigned straight to a property is made in V8's old
      // generation, and would keep this call alive past every young collection
      // (test/young-closures.test.ts).
      const onClientGone = () => this.#abort.abort(new Error("stream closed"));
      options.onClientGone = onClientGone;
    }
    this.exchange = new Exchange(options);
    // Disconnection is not cancellation once the answer is a resumable stream (spec); a client
    // that drops an answer it can never resume can never receive it, so that work is stopped.
    this.#abort = new RequestAbort(rt, incoming, resumable ? () => !this.exchange.streaming : undefined);
  }

  get aborted(): boolean {
    return this.#abort.aborted;
  }

  get streamed(): boolean {
    return this.exchange.streaming;
  }

  /** `onError`, told which call the error happened in. */
  get report(): ErrorReporter {
    if (this.#report === undefined) {
      const report: ErrorReporter = (error, where) => this.rt.report(error, where, this);
      this.#report = report;
    }
    return this.#report;
  }

  get hostRequestId(): string | undefined {
    return this.incoming.host.requestId;
  }

  get clientAddress(): string | undefined {
    return this.incoming.host.clientAddress;
  }

  get principal(): string | null {
    return principalOf(this.auth);
  }

  get stores(): Stores {
    return this.rt.stores;
  }

  get inTask(): boolean {
    return this.link.inTask === true;
  }

  get signal(): AbortSignal {
    if (!this.#observed) {
      this.#observed = true;
      this.link.observe?.(this);
    }
    return this.#abort.signal;
  }

  /** The default logger is made on first use, with this call's correlation fields. */
  get logger(): Logger {
    this.#logger ??= consoleLogger(this.correlation());
    return this.#logger;
  }

  set logger(logger: Logger) {
    this.#logger = logger;
  }

  correlation(): LogFields {
    const fields: LogFields = {
      method: this.method,
      era: this.era,
      protocolVersion: this.protocolVersion,
      jsonrpcId: this.requestId,
    };
    if (this.target !== undefined) fields.target = this.target;
    if (this.sessionId !== undefined) fields.sessionId = this.sessionId;
    if (this.hostRequestId !== undefined) fields.hostRequestId = this.hostRequestId;
    return fields;
  }

  get state(): Record<string, unknown> {
    this.#state ??= {};
    return this.#state;
  }

  /** The handler context is the call itself. */
  get ctx(): HandlerContext {
    return this;
  }

  /** Keeps the invocation alive for `promise` where the host allows (bound: it may be passed around). */
  get waitUntil(): (promise: Promise<unknown>) => void {
    this.#waitUntil ??= waitUntilOf(this.incoming);
    return this.#waitUntil;
  }

  protected progressToken(): string | number | undefined {
    const token = (this.params._meta as { progressToken?: unknown } | undefined)?.progressToken;
    // A ProgressToken is a string or a number; any other value asks for no progress.
    return typeof token === "string" || typeof token === "number" ? token : undefined;
  }

  protected logLevel(): LogLevel | undefined {
    return this.link.logLevel();
  }

  protected notify(message: JsonRpcNotification): Promise<void> {
    return this.exchange.send(message);
  }

  wrapInputs(wrapper: InputWrapper): void {
    this.#inputWrappers ??= [];
    this.#inputWrappers.push(wrapper);
  }

  protected ask(requests: Record<string, InputRequest>): Promise<Record<string, unknown>> {
    let next = () => this.link.ask(requests, this);
    // The first wrapper added is the outermost, as with middleware.
    for (const wrapper of (this.#inputWrappers ?? []).toReversed()) {
      const inner = next;
      next = () => wrapper(requests, inner);
    }
    return next();
  }

  protected endStream(retryMs?: number): void {
    this.link.closeStream(retryMs);
  }

  get checkpoint(): unknown {
    return this.link.checkpoint?.value;
  }

  protected keepCheckpoint(value: unknown): Promise<void> {
    return this.link.checkpoint?.save(value) ?? Promise.resolve();
  }

  protected beginTask(): Promise<void> {
    return this.taskable ? Promise.reject(new TaskStartSignal()) : Promise.resolve();
  }

  /** Aborts the handler's signal (cancellation). */
  abort(reason: unknown): void {
    this.#abort.abort(reason);
  }

  /** Ends the watch for aborts and cancellation (the method returned or threw). */
  dispose(): void {
    this.link.done?.();
    this.#abort.dispose();
  }

  /** Runs the call through the server's middleware to its method. */
  invoke(): McpResult | Promise<McpResult> {
    return runChain(this.rt.server.middleware, this, this.spec.handler);
  }

  /**
   * Produces the result and answers with it: plain JSON unless something was streamed first. An
   * error becomes the JSON-RPC error (never a stack or an internal message); before anything was
   * streamed, `errorStatus` gives it an HTTP status (modern era, and the requests that open a session
   * or a stream) — a {@link RefusedError} its own status and headers —, else it is answered like a
   * result.
   */
  respond(
    produce: (call: Call) => Promise<McpResult>,
    errorStatus?: (code: number) => number,
  ): Promise<Response> {
    const run = this.#answer(produce, errorStatus);
    // Work that outlives the response only exists once it streams; a JSON answer is already final.
    this.exchange.whenStreaming(() => this.waitUntil(run));
    return this.exchange.response;
  }

  /** Produces the result and answers with it; never rejects, so nothing is left unhandled. */
  async #answer(
    produce: (call: Call) => Promise<McpResult>,
    errorStatus: ((code: number) => number) | undefined,
  ): Promise<void> {
    const exchange = this.exchange;
    try {
      let reply: JsonRpcMessage;
      try {
        reply = resultMessage(this.requestId, await produce(this));
      } catch (error) {
        if (isStoreUnavailable(error) && !exchange.streaming) {
          // Nothing was said yet: answer 503 + Retry-After, as for a store failure outside a call.
          this.report(error, this.method);
          exchange.fail(storeUnavailable(error, this.link.stream?.headers));
          return;
        }
        const wire = toWireError(error, this.requestId, this.report, this.method);
        if (errorStatus !== undefined && !exchange.streaming) {
          // A refusal names its own status and headers (429 + Retry-After, …).
          const refused = isInstance(error, RefusedError) ? error : undefined;
          const headers = this.link.stream?.headers;
          exchange.fail(
            refused === undefined
              ? jsonResponse(wire, errorStatus(wire.error.code), headers)
              : jsonResponse(wire, refused.status, { ...headers, ...refused.headers }),
          );
          return;
        }
        reply = wire;
      } finally {
        this.dispose();
      }
      await exchange.complete(reply).catch((e) => this.report(e, `${this.era} stream`));
      if (exchange.dropped > 0) this.report(droppedNotifications(exchange.dropped), this.method);
    } catch (error) {
      // A fault on the way to the answer itself: the client still gets one.
      this.report(error, this.method);
      const wire = internalError(this.requestId);
      if (exchange.streaming) await exchange.complete(wire).catch(() => {});
      else
        exchange.fail(jsonResponse(wire, errorStatus?.(wire.error.code) ?? 200, this.link.stream?.headers));
    }
  }
}

function internalError(id: string | number): JsonRpcError {
  return errorMessage(id, ErrorCode.InternalError, "Internal error");
}
