/** The 2025-era protocol as one module for the handler (see `LegacyEra`). */
import type { LegacyEra } from "../call/runtime.ts";
import { memoryStores } from "../stores/memory.ts";
import { legacyDelete, legacyGet } from "./get.ts";
import { legacyPost } from "./post.ts";

export const legacyEra: LegacyEra = {
  post: legacyPost,
  get: legacyGet,
  delete: legacyDelete,
  defaultStores: () => memoryStores(),
};
