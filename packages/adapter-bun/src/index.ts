export type { ExecutionContextLike, FetchApp } from "@portico/host";
export type { BunRequestIP, BunServer, BunSocketAddress } from "./_bun.ts";
export type { BunFetchHandler, BunHandlerOptions } from "./handle.ts";
export { handle } from "./handle.ts";
export type { BunServeOptions, ListenInfo, Server } from "./serve.ts";
export { serve } from "./serve.ts";
