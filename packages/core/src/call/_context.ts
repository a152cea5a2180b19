/**
 * The {@link HandlerContext} a handler receives: the call itself, seen through this base class.
 * Data members are plain fields; the functions are made on first access (and then kept), so they
 * stay bound for destructuring (`{ signal, progress }`) while a call whose handler never uses them
 * allocates none.
 */
import type { Era, HandlerContext, InputRequest } from "../definition/context.ts";
import type { Logger } from "../definition/logger.ts";
import type { AuthInfo, CreateMessageResult, ElicitResult, ListRootsResult } from "../definition/types.ts";
import type { JsonRpcNotification } from "../jsonrpc/messages.ts";
import { type LogLevel, logLevelAllows } from "../jsonrpc/protocol.ts";

export abstract class CallContext implements HandlerContext {
  abstract readonly signal: AbortSignal;
  abstract readonly requestId: string | number;
  abstract readonly era: Era;
  abstract readonly protocolVersion: string;
  abstract readonly sessionId: string | undefined;
  abstract readonly auth: AuthInfo | undefined;
  abstract readonly env: unknown;
  abstract readonly clientCapabilities: Record<string, unknown>;
  abstract readonly clientInfo: Record<string, unknown> | undefined;
  abstract readonly headers: Headers;
  abstract readonly waitUntil: (promise: Promise<unknown>) => void;
  abstract logger: Logger;
  /** The client's progress token, if it sent one. */
  protected abstract progressToken(): string | number | undefined;
  /** The level the client asked for; `undefined` means "send nothing". */
  protected abstract logLevel(): LogLevel | undefined;
  /** Sends a notification ahead of the answer. */
  protected abstract notify(message: JsonRpcNotification): Promise<void>;
  /** Asks the client for input. */
  protected abstract ask(requests: Record<string, InputRequest>): Promise<Record<string, unknown>>;
  /** Ends the live HTTP stream with a retry hint (legacy SSE polling). */
  protected abstract endStream(retryMs?: number): void;
  /** `ctx.startTask()`: rejects with the task-start signal where the call may become a task. */
  protected abstract beginTask(): Promise<void>;
  abstract readonly checkpoint: unknown;
  /** `ctx.saveCheckpoint()`: saves progress with the task (a task's run only). */
  protected abstract keepCheckpoint(value: unknown): Promise<void>;
  #counter = 0;
  #progress: HandlerContext["progress"] | undefined;
  #log: HandlerContext["log"] | undefined;
  #elicit: HandlerContext["elicit"] | undefined;
  #sample: HandlerContext["sample"] | undefined;
  #listRoots: HandlerContext["listRoots"] | undefined;
  #inputs: HandlerContext["inputs"] | undefined;
  #closeStream: HandlerContext["closeStream"] | undefined;
  #startTask: HandlerContext["startTask"] | undefined;
  #saveCheckpoint: HandlerContext["saveCheckpoint"] | undefined;

  // Each function is bound on first access, never assigned as a literal: V8 makes a function
  // literal assigned straight to a property in its old generation, where it would keep the whole
  // call alive past every young collection (test/young-closures.test.ts).

  get progress(): HandlerContext["progress"] {
    this.#progress ??= this.#sendProgress.bind(this);
    return this.#progress;
  }

  get log(): HandlerContext["log"] {
    this.#log ??= this.#sendLog.bind(this);
    return this.#log;
  }

  get elicit(): HandlerContext["elicit"] {
    this.#elicit ??= this.#askElicitation.bind(this);
    return this.#elicit;
  }

  get sample(): HandlerContext["sample"] {
    this.#sample ??= this.#askSampling.bind(this);
    return this.#sample;
  }

  get listRoots(): HandlerContext["listRoots"] {
    this.#listRoots ??= this.#askRoots.bind(this);
    return this.#listRoots;
  }

  get inputs(): HandlerContext["inputs"] {
    this.#inputs ??= this.#askInputs.bind(this) as HandlerContext["inputs"];
    return this.#inputs;
  }

  get closeStream(): HandlerContext["closeStream"] {
    this.#closeStream ??= this.endStream.bind(this);
    return this.#closeStream;
  }

  get startTask(): HandlerContext["startTask"] {
    this.#startTask ??= this.beginTask.bind(this);
    return this.#startTask;
  }

  get saveCheckpoint(): HandlerContext["saveCheckpoint"] {
    this.#saveCheckpoint ??= this.keepCheckpoint.bind(this);
    return this.#saveCheckpoint;
  }

  async #sendProgress(progress: number, total?: number, message?: string): Promise<void> {
    const token = this.progressToken();
    if (token === undefined || this.signal.aborted) return;
    const params: Record<string, unknown> = { progressToken: token, progress };
    if (total !== undefined) params.total = total;
    if (message !== undefined) params.message = message;
    await this.notify({ jsonrpc: "2.0", method: "notifications/progress", params });
  }

  async #sendLog(level: LogLevel, data: unknown, logger?: string): Promise<void> {
    if (!logLevelAllows(this.logLevel(), level) || this.signal.aborted) return;
    const params: Record<string, unknown> = { level, data };
    if (logger !== undefined) params.logger = logger;
    await this.notify({ jsonrpc: "2.0", method: "notifications/message", params });
  }

  #askElicitation(params: Parameters<HandlerContext["elicit"]>[0]): Promise<ElicitResult> {
    return this.#askOne({ method: "elicitation/create", params }) as Promise<ElicitResult>;
  }

  #askSampling(params: Parameters<HandlerContext["sample"]>[0]): Promise<CreateMessageResult> {
    return this.#askOne({ method: "sampling/createMessage", params }) as Promise<CreateMessageResult>;
  }

  #askRoots(): Promise<ListRootsResult> {
    return this.#askOne({ method: "roots/list" }) as Promise<ListRootsResult>;
  }

  #askInputs(requests: Record<string, InputRequest>): Promise<Record<string, unknown>> {
    return this.ask(requests);
  }

  async #askOne(request: InputRequest): Promise<unknown> {
    const key = `input-${++this.#counter}`;
    const answers = await this.ask({ [key]: request });
    return answers[key];
  }
}
