export type { BufferedResponse } from "@portico/host";
export {
  checkTimerMs,
  isTimerMs,
  MAX_TIMER_MS,
  readBufferedResponse,
  timerRange,
  toRealResponse,
} from "@portico/host";
export type { Era, HandlerContext, InputRequest } from "./definition/context.ts";
export type { LogFields, Logger, LogSeverity } from "./definition/logger.ts";
export type {
  Definitions,
  InputWrapper,
  McpCall,
  McpParams,
  McpResult,
  MethodFamily,
  MethodSpec,
  Middleware,
  RequestScope,
} from "./definition/method.ts";
export type {
  CompiledSchema,
  InferSchema,
  JsonSchemaObject,
  SchemaIssue,
  SchemaLike,
} from "./definition/schema.ts";
export { compileSchema } from "./definition/schema.ts";
export type { ListKind, Registration, ServerEvent, ServerOptions } from "./definition/server.ts";
export { McpServer } from "./definition/server.ts";
export type { TagFilter } from "./definition/tags.ts";
export type { TaskSupport } from "./definition/task-hook.ts";
export type * from "./definition/types.ts";
export { ErrorCode, isStoreUnavailable, McpError, PorticoError, StoreUnavailableError } from "./errors.ts";
export type { HandlerOptions, McpHandler } from "./handler.ts";
export { createHandler } from "./handler.ts";
export { addressGroup } from "./http/caller-address.ts";
export { RefusedError } from "./http/refused.ts";
export type { JsonSchema } from "./json-schema/index.ts";
export { jsonSchema } from "./json-schema/index.ts";
export type { LogLevel } from "./jsonrpc/protocol.ts";
export { LEGACY_VERSIONS, LOG_LEVELS, MODERN_VERSIONS } from "./jsonrpc/protocol.ts";
export type { Completer, CompletionContext } from "./methods/completion.ts";
export type { ExtensionSettings, McpExtension } from "./methods/extension.ts";
export { addExtension, clientExtension } from "./methods/extension.ts";
export type { MountOptions } from "./methods/mount.ts";
export { mount } from "./methods/mount.ts";
export { paginate } from "./methods/paginate.ts";
export type { PromptArgs, PromptArgument, PromptConfig, PromptGet } from "./methods/prompts.ts";
export { addPrompt } from "./methods/prompts.ts";
export type {
  ResourceConfig,
  ResourceConfigWithUri,
  ResourceReader,
  ResourceReturn,
  ResourceTemplateConfig,
  ResourceTemplateReader,
} from "./methods/resources.ts";
export { addResource, addResourceTemplate } from "./methods/resources.ts";
export { addMethods } from "./methods/table.ts";
export { ToolError } from "./methods/tool-call.ts";
export type { StructuredToolResult, ToolConfig, ToolHandler, ToolReturn } from "./methods/tools.ts";
export { addTool } from "./methods/tools.ts";
export type { ModernHandlerOptions, ModernStores } from "./modern-handler.ts";
export { createModernHandler } from "./modern-handler.ts";
export type {
  MemoryBusOptions,
  MemoryEventStoreOptions,
  MemoryRateLimitStoreOptions,
  MemorySessionStoreOptions,
  MemoryStoresOptions,
  PollingBusOptions,
  TokenStep,
  TopicLog,
  TopicLogBatch,
  TopicLogRead,
} from "./stores/index.ts";
export {
  assertStreamId,
  assertTokenBucket,
  isStreamId,
  MemoryBus,
  MemoryEventStore,
  MemoryRateLimitStore,
  MemorySessionStore,
  memoryStores,
  PollingBus,
  splitEventId,
  storeKeyText,
  takeToken,
  toJsonText,
  tokenIntervalMs,
} from "./stores/index.ts";
export { storeTimeoutOf, timedBus, timedRateLimitStore, timedSessionStore } from "./stores/timed.ts";
export type {
  Bus,
  EventStore,
  JsonValue,
  RateLimitStore,
  SessionStore,
  StoredEvent,
  StoredRecord,
  StoreKey,
  Stores,
  Subscription,
  TokenBucket,
  TokenTake,
} from "./stores/types.ts";
export type { TasksOptions } from "./tasks/engine.ts";
export { enableTasks } from "./tasks/engine.ts";
export type { TaskJob } from "./tasks/run.ts";
export { UriTemplate } from "./uri-template/index.ts";
