export { handle } from "./handle.ts";
export { PorticoSessionObject } from "./session-object.ts";
export { durableObjectStores } from "./stores.ts";
export { DurableObjectSessionStore } from "./session-store.ts";
export { DurableObjectEventStore } from "./event-store.ts";
export { DurableObjectBus } from "./bus.ts";

export type { WorkerHandler, WorkersHandlerOptions } from "./handle.ts";
export type { DurableObjectStores, DurableObjectStoresOptions } from "./stores.ts";
export type { DurableObjectEventStoreOptions } from "./event-store.ts";
export type { DurableObjectBusOptions } from "./bus.ts";
export type { SessionObjectNamespace } from "./_stub.ts";
export type { RecordRow, ReplayRows } from "./_records.ts";
export type { FetchApp } from "./_types.ts";
