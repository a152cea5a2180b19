export type { ExecutionContextLike, FetchApp } from "@portico/host";
export type { VercelNodeHandler, VercelNodeHandlerOptions } from "./to-node-handler.ts";
export { toNodeHandler } from "./to-node-handler.ts";
