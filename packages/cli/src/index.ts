export type { DevServer, DevServerOptions } from "./dev/dev-server.ts";
export { startDevServer } from "./dev/dev-server.ts";
export type { InspectorTarget, Launch } from "./inspect/launch.ts";
export { findInspector, inspectorArgs, inspectorLaunch } from "./inspect/launch.ts";
export type { EntryApp, LoadedEntry, LoadOptions, Target, WatchEvents, WatchedEntry } from "./load/entry.ts";
export { entryApp, loadEntry, resolveEntry, watchEntry } from "./load/entry.ts";
export { main } from "./main.ts";
