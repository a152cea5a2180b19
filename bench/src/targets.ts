/**
 * The four fetch handlers under test, each serving the same two-number `add` tool.
 */
import type { FetchTarget } from "./apps/_fetch-target.ts";
import { bare } from "./apps/bare.ts";
import { mcpLite } from "./apps/mcp-lite.ts";
import { portico } from "./apps/portico.ts";
import { sdkV2 } from "./apps/sdk-v2.ts";

export type { FetchTarget };

export type TargetName = "portico" | "sdk-v2" | "mcp-lite" | "bare";
export type Era = "legacy" | "modern";

const ALL_TARGETS: readonly TargetName[] = ["portico", "sdk-v2", "mcp-lite", "bare"];
const only = process.env.BENCH_ONLY?.split(",").map((name) => name.trim());

/** `BENCH_ONLY=portico,bare,raw` narrows a run to some targets (for profiling; results get a `-partial` name). */
export const PARTIAL = only !== undefined;
export const TARGETS: readonly TargetName[] = ALL_TARGETS.filter((name) => only?.includes(name) ?? true);
/** Whether the raw node:http floor runs in the loopback part. */
export const RAW = only?.includes("raw") ?? true;
export const ERAS: readonly Era[] = ["legacy", "modern"];

/** Which eras a target serves; the others are reported as "n/a". */
export const SUPPORTED_ERAS: Record<TargetName, readonly Era[]> = {
  portico: ["legacy", "modern"],
  "sdk-v2": ["legacy", "modern"],
  // mcp-lite 0.10.0 knows 2025-03-26 and 2025-06-18 only.
  "mcp-lite": ["legacy"],
  bare: ["legacy", "modern"],
};

export function createTarget(name: TargetName): FetchTarget {
  switch (name) {
    case "portico":
      return portico();
    case "sdk-v2":
      return sdkV2();
    case "mcp-lite":
      return mcpLite();
    case "bare":
      return bare();
  }
}
