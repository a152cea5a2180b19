export type { UpstreamEra } from "./client.ts";
export { proxy } from "./proxy.ts";
export type { ProxyTransport, TransportMessage } from "./transport.ts";
export type {
  ProxyAuth,
  ProxyLogger,
  ProxyOptions,
  ProxyRegistration,
  SkippedDefinition,
  UnvalidatedSchema,
} from "./types.ts";
