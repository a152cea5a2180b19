/**
 * The everything server as a Vercel Function (`vercel/api/mcp.mjs`), served by
 * `vercel dev --local`. vercel dev runs every request in a fresh process, so the function shares
 * its sessions, event logs and bus through the dev stores `startVercelDev` starts in this process.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startVercelDev } from "@portico/adapter-vercel/dev";
import { MCP_PATH } from "./app.ts";
import type { Target } from "./_targets.ts";

const project = join(dirname(fileURLToPath(import.meta.url)), "..", "vercel");

export const vercel: Target = {
  name: "vercel",
  // One scenario reads streams against sub-second windows a fresh process per request cannot meet.
  baselineDir: "vercel",
  async start() {
    const dev = await startVercelDev({
      cwd: project,
      // The function's imports resolve to the workspace packages' TypeScript sources.
      env: { NODE_OPTIONS: "--conditions=@portico/source" },
      // Off on purpose: with Node's compile cache a request takes 0.4-0.8 s here instead of
      // 0.6-1.4 s, so server-stateless's sub-second windows pass on a quiet machine and fail under
      // load, and a baselined scenario that passes fails the run as a stale entry (see the baseline).
      compileCache: false,
    });
    return { url: `${dev.url}${MCP_PATH}`, stop: () => dev.stop() };
  },
};
