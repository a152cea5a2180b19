export { serve } from "./serve.ts";
export { toNodeHandler } from "./to-node-handler.ts";
export { toRequest } from "./to-request.ts";
export { writeResponse } from "./write-response.ts";
export { InvalidHostError } from "./_request-url.ts";

export type { ExecutionContextLike, FetchApp } from "./_types.ts";
export type { OriginOptions } from "./_request-url.ts";
export type { ListenInfo, Server, ServeOptions } from "./serve.ts";
export type { NodeHandler, NodeHandlerOptions } from "./to-node-handler.ts";
export type { ToRequestOptions } from "./to-request.ts";
export type { WriteResponseOptions } from "./write-response.ts";
