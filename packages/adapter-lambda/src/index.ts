export type { AuthInfo as AuthInfoLike, ExecutionContextLike, FetchApp } from "@portico/host";
export type { EventKind, RequestOptions } from "./_strategy.ts";
export type { TaskEvent } from "./_task-event.ts";
export { isTaskEvent } from "./_task-event.ts";
export type {
  AlbEvent,
  AlbResult,
  ApiGatewayV1Event,
  ApiGatewayV1Result,
  ApiGatewayV2Event,
  ApiGatewayV2Result,
  LambdaContextLike,
  LambdaHttpEvent,
  LambdaHttpResult,
} from "./_types.ts";
export { eventKind, toRequest, toResult } from "./convert.ts";
export type { LambdaHandler, LambdaHandlerOptions } from "./handle.ts";
export { handle } from "./handle.ts";
export type { InvokeSelfOptions } from "./invoke-self.ts";
export { invokeSelf } from "./invoke-self.ts";
export type { ReadSecretOptions } from "./read-secret.ts";
export { readSecret } from "./read-secret.ts";
export type { AwsLambdaRuntime, ResponseStreamLike, StreamMetadata } from "./stream-handle.ts";
export { streamHandle } from "./stream-handle.ts";
export type { ToEventOptions } from "./to-event.ts";
export { fromResult, toEvent } from "./to-event.ts";
