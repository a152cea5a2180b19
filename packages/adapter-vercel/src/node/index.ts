export { toNodeHandler } from "./to-node-handler.ts";

export type { VercelNodeHandler, VercelNodeHandlerOptions } from "./to-node-handler.ts";
export type { ExecutionContextLike, FetchApp } from "../_types.ts";
