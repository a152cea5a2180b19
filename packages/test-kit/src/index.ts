export { describeStore } from "./describe-store.ts";
export type { StoreFixture } from "./describe-store.ts";
