/** Builds the {@link HandlerContext} a handler receives, from era-specific parts. */
import type { JsonRpcNotification } from "./_jsonrpc.ts";
import { type LogLevel, logLevelAllows } from "./_protocol.ts";
import type { Era, HandlerContext, InputRequest } from "./context.ts";
import type { AuthInfo, CreateMessageResult, ElicitResult, ListRootsResult } from "./types.ts";

export interface ContextParts {
  signal: AbortSignal;
  requestId: string | number;
  era: Era;
  protocolVersion: string;
  sessionId: string | undefined;
  auth: AuthInfo | undefined;
  env: unknown;
  headers: Headers;
  clientCapabilities: Record<string, unknown>;
  clientInfo: Record<string, unknown> | undefined;
  progressToken: string | number | undefined;
  /** The level the client asked for; `undefined` means "send nothing" (modern) — legacy passes "debug" by default. */
  logLevel: () => LogLevel | undefined;
  notify: (message: JsonRpcNotification) => Promise<void>;
  ask: (requests: Record<string, InputRequest>) => Promise<Record<string, unknown>>;
  waitUntil: (promise: Promise<unknown>) => void;
  closeStream: (retryMs?: number) => void;
}

export function createContext(parts: ContextParts): HandlerContext {
  let counter = 0;
  const askOne = async (request: InputRequest): Promise<unknown> => {
    const key = `input-${++counter}`;
    const answers = await parts.ask({ [key]: request });
    return answers[key];
  };
  return {
    signal: parts.signal,
    requestId: parts.requestId,
    era: parts.era,
    protocolVersion: parts.protocolVersion,
    sessionId: parts.sessionId,
    auth: parts.auth,
    env: parts.env,
    clientCapabilities: parts.clientCapabilities,
    clientInfo: parts.clientInfo,
    headers: parts.headers,
    async progress(progress, total, message) {
      if (parts.progressToken === undefined || parts.signal.aborted) return;
      const params: Record<string, unknown> = { progressToken: parts.progressToken, progress };
      if (total !== undefined) params.total = total;
      if (message !== undefined) params.message = message;
      await parts.notify({ jsonrpc: "2.0", method: "notifications/progress", params });
    },
    async log(level, data, logger) {
      if (!logLevelAllows(parts.logLevel(), level) || parts.signal.aborted) return;
      const params: Record<string, unknown> = { level, data };
      if (logger !== undefined) params.logger = logger;
      await parts.notify({ jsonrpc: "2.0", method: "notifications/message", params });
    },
    elicit: (params) => askOne({ method: "elicitation/create", params }) as Promise<ElicitResult>,
    sample: (params) => askOne({ method: "sampling/createMessage", params }) as Promise<CreateMessageResult>,
    listRoots: () => askOne({ method: "roots/list" }) as Promise<ListRootsResult>,
    inputs: (requests) => parts.ask(requests) as Promise<Record<keyof typeof requests & string, unknown>>,
    waitUntil: parts.waitUntil,
    closeStream: parts.closeStream,
  };
}
