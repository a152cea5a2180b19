export type { BoundedEventStoreFactory } from "./_store-battery-event-bytes.ts";
export type { AdapterProbe } from "./adapter-server.ts";
export { adapterTestServer } from "./adapter-server.ts";
export { addAskingTool, askingCall } from "./asking-tool.ts";
export type {
  AdapterFixture,
  DescribeAdapterOptions,
  RemoteBatteryProbe,
  ServeThroughAdapter,
} from "./describe-adapter.ts";
export { describeAdapter } from "./describe-adapter.ts";
export type { StoreFixture } from "./describe-store.ts";
export { describeStore } from "./describe-store.ts";
export { jsonLogLines, requestLine } from "./log-lines.ts";
export { modernAnswer } from "./modern-answer.ts";
export { expectRemainingCountdown } from "./remaining-countdown.ts";
export type {
  InitializeOptions,
  JsonRpcMessage,
  LegacyRequestOptions,
  ModernRequestOptions,
  ReadJsonRpcOptions,
} from "./requests.ts";
export {
  decodeHeaderValue,
  encodeHeaderValue,
  initializeBody,
  initializedBody,
  jsonRpc,
  LEGACY_VERSIONS,
  legacyDelete,
  legacyGet,
  legacyPost,
  MODERN_VERSION,
  modernPost,
  notification,
  readJsonRpc,
} from "./requests.ts";
export { sleep } from "./sleep.ts";
export type { CollectSseOptions, ReadSseOptions, SseComment, SseEvent, SseSource } from "./sse.ts";
export { collectSse, readSse, SseParser, SseTimeoutError } from "./sse.ts";
