export type { ColdModules } from "./cold-modules.ts";
export { coldModules, nodeStripsTypes } from "./cold-modules.ts";
export type { Instances } from "./many-instances.ts";
export { oneSessionAcrossInstances, startInstances } from "./many-instances.ts";
export type { SourceFile } from "./source-files.ts";
export { expectEdgeSafeSources, sourceFiles } from "./source-files.ts";
export type { ReadyProcess, SpawnReadyOptions } from "./spawn-ready.ts";
export { spawnReady } from "./spawn-ready.ts";
