/** The {@link HandlerContext} a handler receives, reading its call. */
import type { JsonRpcNotification } from "../jsonrpc/messages.ts";
import { type LogLevel, logLevelAllows } from "../jsonrpc/protocol.ts";
import type { Era, HandlerContext, InputRequest } from "../definition/context.ts";
import type { AuthInfo, CreateMessageResult, ElicitResult, ListRootsResult } from "../definition/types.ts";

/** What the handler context reads of its call (the call implements it). */
export interface ContextParts {
  /** The handler's signal: reading it is what starts watching for aborts. */
  readonly signal: AbortSignal;
  readonly requestId: string | number;
  readonly era: Era;
  readonly protocolVersion: string;
  readonly sessionId: string | undefined;
  readonly auth: AuthInfo | undefined;
  readonly env: unknown;
  readonly headers: Headers;
  readonly clientCapabilities: Record<string, unknown>;
  readonly clientInfo: Record<string, unknown> | undefined;
  readonly progressToken: string | number | undefined;
  /** The level the client asked for; `undefined` means "send nothing". */
  logLevel(): LogLevel | undefined;
  notify(message: JsonRpcNotification): Promise<void>;
  ask(requests: Record<string, InputRequest>): Promise<Record<string, unknown>>;
  readonly waitUntil: (promise: Promise<unknown>) => void;
  closeStream(retryMs?: number): void;
}

/**
 * The handler context. Data members are plain fields; the functions are made on first access (and
 * then kept), so they stay bound for destructuring (`{ signal, progress }`) while a request whose
 * handler never uses them allocates none.
 */
class RequestContext implements HandlerContext {
  readonly requestId: string | number;
  readonly era: Era;
  readonly protocolVersion: string;
  readonly sessionId: string | undefined;
  readonly auth: AuthInfo | undefined;
  readonly env: unknown;
  readonly clientCapabilities: Record<string, unknown>;
  readonly clientInfo: Record<string, unknown> | undefined;
  readonly headers: Headers;
  readonly #parts: ContextParts;
  #counter = 0;
  #progress: HandlerContext["progress"] | undefined;
  #log: HandlerContext["log"] | undefined;
  #elicit: HandlerContext["elicit"] | undefined;
  #sample: HandlerContext["sample"] | undefined;
  #listRoots: HandlerContext["listRoots"] | undefined;
  #inputs: HandlerContext["inputs"] | undefined;
  #closeStream: HandlerContext["closeStream"] | undefined;

  constructor(parts: ContextParts) {
    this.#parts = parts;
    this.requestId = parts.requestId;
    this.era = parts.era;
    this.protocolVersion = parts.protocolVersion;
    this.sessionId = parts.sessionId;
    this.auth = parts.auth;
    this.env = parts.env;
    this.clientCapabilities = parts.clientCapabilities;
    this.clientInfo = parts.clientInfo;
    this.headers = parts.headers;
  }

  get signal(): AbortSignal {
    return this.#parts.signal;
  }

  get progress(): HandlerContext["progress"] {
    const parts = this.#parts;
    this.#progress ??= async (progress, total, message) => {
      if (parts.progressToken === undefined || parts.signal.aborted) return;
      const params: Record<string, unknown> = { progressToken: parts.progressToken, progress };
      if (total !== undefined) params.total = total;
      if (message !== undefined) params.message = message;
      await parts.notify({ jsonrpc: "2.0", method: "notifications/progress", params });
    };
    return this.#progress;
  }

  get log(): HandlerContext["log"] {
    const parts = this.#parts;
    this.#log ??= async (level, data, logger) => {
      if (!logLevelAllows(parts.logLevel(), level) || parts.signal.aborted) return;
      const params: Record<string, unknown> = { level, data };
      if (logger !== undefined) params.logger = logger;
      await parts.notify({ jsonrpc: "2.0", method: "notifications/message", params });
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
    const parts = this.#parts;
    this.#inputs ??= (requests) =>
      parts.ask(requests) as Promise<Record<keyof typeof requests & string, unknown>>;
    return this.#inputs;
  }

  get waitUntil(): HandlerContext["waitUntil"] {
    return this.#parts.waitUntil;
  }

  get closeStream(): HandlerContext["closeStream"] {
    const parts = this.#parts;
    this.#closeStream ??= (retryMs) => parts.closeStream(retryMs);
    return this.#closeStream;
  }

  async #askOne(request: InputRequest): Promise<unknown> {
    const key = `input-${++this.#counter}`;
    const answers = await this.#parts.ask({ [key]: request });
    return answers[key];
  }
}

export function createContext(parts: ContextParts): HandlerContext {
  return new RequestContext(parts);
}
