export { oneSessionAcrossInstances, startInstances } from "./many-instances.ts";
export type { Instances } from "./many-instances.ts";
