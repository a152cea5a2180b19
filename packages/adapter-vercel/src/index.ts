export type { ExecutionContextLike, FetchApp } from "@portico/host";
export type { VercelContextLike, VercelHandlerOptions } from "./_types.ts";
export type { VercelHandlers, VercelWebHandler } from "./handle.ts";
export { handle } from "./handle.ts";
