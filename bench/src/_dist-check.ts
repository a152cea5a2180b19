/**
 * Part (h) runs the packages as a user's project would: from their `dist` builds. A missing or
 * stale build would fail that part after the others have run (~20 minutes in), or measure old code;
 * `pnpm bench` builds first, and this check stops a direct run at its start instead.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGES = fileURLToPath(new URL("../../packages/", import.meta.url));

/** The packages `api/portico` of the Vercel project loads (see _vercel-project.ts). */
export const VERCEL_PACKAGES = ["core", "host", "adapter-vercel"] as const;

/** The newest modification time of the files under `dir`, in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Why the `dist` builds of `packages` cannot be used, or `undefined` when they are there and newer than their `src`. */
export function distProblem(packages: readonly string[] = VERCEL_PACKAGES): string | undefined {
  const missing: string[] = [];
  const stale: string[] = [];
  for (const name of packages) {
    const built = join(PACKAGES, name, "dist", "index.js");
    if (!existsSync(built)) missing.push(name);
    else if (newest(join(PACKAGES, name, "src")) > statSync(built).mtimeMs) stale.push(name);
  }
  if (missing.length === 0 && stale.length === 0) return undefined;
  const what = [
    ...(missing.length > 0 ? [`no dist build of ${missing.map((n) => `@portico/${n}`).join(", ")}`] : []),
    ...(stale.length > 0 ? [`dist older than src in ${stale.map((n) => `@portico/${n}`).join(", ")}`] : []),
  ].join("; ");
  return `part (h) loads the packages' dist builds: ${what}. Run \`sh scripts/pnpm.sh build\` first (\`pnpm bench\` does), or skip the part with BENCH_SKIP=vercel-cold-start.`;
}
