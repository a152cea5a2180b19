export { handle } from "./handle.ts";

export type { VercelHandlers, VercelWebHandler } from "./handle.ts";
export type {
  ExecutionContextLike,
  FetchApp,
  VercelContextLike,
  VercelHandlerOptions,
} from "./_types.ts";
