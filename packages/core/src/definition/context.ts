/** What every tool, resource and prompt handler receives next to its arguments. */
import type { LogLevel } from "../jsonrpc/protocol.ts";
import type { Logger } from "./logger.ts";
import type {
  AuthInfo,
  CreateMessageRequestParams,
  CreateMessageResult,
  ElicitRequestParams,
  ElicitResult,
  ListRootsResult,
} from "./types.ts";

export type Era = "modern" | "legacy";

export interface HandlerContext {
  /** Aborted on client cancellation, a closed stream (modern), the host's deadline or shutdown. */
  readonly signal: AbortSignal;
  /** The JSON-RPC id of the request being served. */
  readonly requestId: string | number;
  /** `modern` (2026-07-28, stateless) or `legacy` (initialize + sessions). */
  readonly era: Era;
  /** The protocol version this request is served at. */
  readonly protocolVersion: string;
  /** Legacy era: the session id. */
  readonly sessionId: string | undefined;
  /** Auth established by the host or an auth hook. */
  readonly auth: AuthInfo | undefined;
  /** The runtime's environment (Workers bindings, …) as passed to `fetch`. */
  readonly env: unknown;
  /** The client's declared capabilities. */
  readonly clientCapabilities: Record<string, unknown>;
  /** The client's self-description, when sent. */
  readonly clientInfo: Record<string, unknown> | undefined;
  /** The raw HTTP request headers. */
  readonly headers: Headers;
  /**
   * Reports progress when the client sent a progress token (a no-op otherwise). The response
   * switches to an SSE stream on the first notification.
   */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** Sends `notifications/message` if the client asked for this level (per request in modern, `logging/setLevel` in legacy). */
  log(level: LogLevel, data: unknown, logger?: string): Promise<void>;
  /**
   * Asks the user for input. Legacy: an `elicitation/create` request over the stream, the reply
   * routed back from any instance. Modern: an `input_required` result; the handler runs again
   * when the client retries, and this call then returns the client's answer. Keep side effects
   * after the inputs are gathered.
   */
  elicit(params: ElicitRequestParams): Promise<ElicitResult>;
  /** Asks the client's model for a completion (`sampling/createMessage`), same mechanics as `elicit`. */
  sample(params: CreateMessageRequestParams): Promise<CreateMessageResult>;
  /** Asks the client for its roots (`roots/list`), same mechanics as `elicit`. */
  listRoots(): Promise<ListRootsResult>;
  /**
   * Modern era: asks for several inputs in one round trip (keys are yours). Legacy era: sends
   * them one after another. Resolves every answer by key.
   */
  inputs<K extends string>(requests: Record<K, InputRequest>): Promise<Record<K, unknown>>;
  /** Keeps the invocation alive for background work after the response (where the host allows). */
  waitUntil(promise: Promise<unknown>): void;
  /**
   * The operator's log (never sent to the client; {@link log} is), its lines carrying this
   * request's method, target, JSON-RPC id, session id and host request id. By default JSON lines
   * through `console` at info and above; `@portico/observe` sets its level, sink, redaction and
   * trace ids.
   */
  readonly logger: Logger;
  /**
   * Legacy era with SSE: ends the current HTTP stream with a `retry` hint while the handler keeps
   * running; the client resumes with `Last-Event-ID` and receives the rest (SSE polling).
   */
  closeStream(retryMs?: number): void;
  /**
   * For a tool registered with `taskStart: "handler"`: makes this call a task now — the client gets
   * the task at once, and the task's run starts the handler again in the background, with every
   * answer gathered so far (keep side effects after this point). Resolves at once where the call
   * cannot become a task (a client without task support) and inside the task's own run.
   */
  startTask(): Promise<void>;
  /**
   * In a task's run: the progress the task last saved with {@link saveCheckpoint} (`undefined`
   * until then, and outside a task).
   */
  readonly checkpoint: unknown;
  /**
   * In a task's run: saves `value` (JSON) with the task, so that a later run — after this one
   * reached the host's time limit, or its instance stopped — starts from it (`ctx.checkpoint`).
   * Outside a task it keeps nothing.
   */
  saveCheckpoint(value: unknown): Promise<void>;
}

/** One server→client request. */
export type InputRequest =
  | { method: "elicitation/create"; params: ElicitRequestParams }
  | { method: "sampling/createMessage"; params: CreateMessageRequestParams }
  | { method: "roots/list"; params?: Record<string, unknown> };
