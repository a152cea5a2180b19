export type { ExecutionContextLike, FetchApp } from "@portico/host";
export type { StdioOptions, StdioServer } from "./serve-stdio.ts";
export { serveStdio } from "./serve-stdio.ts";
