export type { FetchApp } from "@portico/host";

export type { WorkerHandler, WorkersHandlerOptions } from "./handle.ts";
export { handle } from "./handle.ts";
