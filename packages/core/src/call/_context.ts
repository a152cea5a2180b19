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

  get progress(): HandlerContext["progress"] {
    this.#progress ??= async (progress, total, message) => {
      const token = this.progressToken();
      if (token === undefined || this.signal.aborted) return;
      const params: Record<string, unknown> = { progressToken: token, progress };
      if (total !== undefined) params.total = total;
      if (message !== undefined) params.message = message;
      await this.notify({ jsonrpc: "2.0", method: "notifications/progress", params });
    };
    return this.#progress;
  }

  get log(): HandlerContext["log"] {
    this.#log ??= async (level, data, logger) => {
      if (!logLevelAllows(this.logLevel(), level) || this.signal.aborted) return;
      const params: Record<string, unknown> = { level, data };
      if (logger !== undefined) params.logger = logger;
      await this.notify({ jsonrpc: "2.0", method: "notifications/message", params });
    };
    return this.#log;
  }

  get elicit(): HandlerContext["elicit"] {
    this.#elicit ??= (params) =>
      this.#askOne({ method: "elicitation/create", params }) as Promise<ElicitResult>;
    return this.#elicit;
  }

  get sample(): HandlerContext["sample"] {
    this.#sample ??= (params) =>
      this.#askOne({ method: "sampling/createMessage", params }) as Promise<CreateMessageResult>;
    return this.#sample;
  }

  get listRoots(): HandlerContext["listRoots"] {
    this.#listRoots ??= () => this.#askOne({ method: "roots/list" }) as Promise<ListRootsResult>;
    return this.#listRoots;
  }

  get inputs(): HandlerContext["inputs"] {
    this.#inputs ??= (requests) =>
      this.ask(requests) as Promise<Record<keyof typeof requests & string, unknown>>;
    return this.#inputs;
  }

  get closeStream(): HandlerContext["closeStream"] {
    this.#closeStream ??= (retryMs) => this.endStream(retryMs);
    return this.#closeStream;
  }

  get startTask(): HandlerContext["startTask"] {
    this.#startTask ??= () => this.beginTask();
    return this.#startTask;
  }

  get saveCheckpoint(): HandlerContext["saveCheckpoint"] {
    this.#saveCheckpoint ??= (value) => this.keepCheckpoint(value);
    return this.#saveCheckpoint;
  }

  async #askOne(request: InputRequest): Promise<unknown> {
    const key = `input-${++this.#counter}`;
    const answers = await this.ask({ [key]: request });
    return answers[key];
  }
}
