export type { UpstreamEra } from "./client.ts";
export { proxy } from "./proxy.ts";
export type { ProxyAuth, ProxyOptions, ProxyRegistration, SkippedDefinition } from "./types.ts";
