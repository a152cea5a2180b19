export type { BufferedResponse } from "./buffered-response.ts";
export { bufferedResponse, readBufferedResponse, toRealResponse } from "./buffered-response.ts";
export type { HostErrorStatus } from "./errors.ts";
export { consoleErrorReporter, HOST_ERROR_HEADERS, hostErrorBody, hostErrorResponse } from "./errors.ts";
export type { PromiseTracker } from "./promise-tracker.ts";
export { createTracker } from "./promise-tracker.ts";
export type { AuthInfo, ExecutionContextLike, FetchApp, FetchHandler } from "./types.ts";
export { guardedWaitUntil } from "./wait-until.ts";
