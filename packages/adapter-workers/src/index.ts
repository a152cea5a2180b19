export type { FetchApp } from "@portico/host";

export type { WorkerHandler, WorkersHandlerOptions } from "./handle.ts";
export { handle } from "./handle.ts";
export type { TaskRunnerClass, TaskRunnerJob, TaskRunnerOptions } from "./task-runner.ts";
export { durableObjectTaskDispatch, taskRunnerObject } from "./task-runner.ts";
