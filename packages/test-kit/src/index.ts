export { describeStore } from "./describe-store.ts";
export type { StoreFixture } from "./describe-store.ts";
export { describeAdapter } from "./describe-adapter.ts";
export type { AdapterFixture, DescribeAdapterOptions, ServeThroughAdapter } from "./describe-adapter.ts";
