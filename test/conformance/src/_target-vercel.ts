/**
 * The everything server on Vercel, served by `vercel dev --local`, in the two forms Vercel runs
 * Node code: a function under `api/` (`vercel/api/mcp.mjs`), which vercel dev runs in a fresh
 * process per request, so it shares its sessions, event logs and bus through the dev stores
 * `startVercelDev` starts in this process; and a zero-config Node.js server
 * (`vercel-server/server.mjs`, `export default { fetch }`), which vercel dev runs in one process.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startVercelDev } from "@portico/adapter-vercel/dev";
import type { Target } from "./_targets.ts";
import { MCP_PATH } from "./app.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const project = join(root, "vercel");

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

export const vercelServer: Target = {
  name: "vercel-server",
  async start() {
    const dev = await startVercelDev({
      cwd: join(root, "vercel-server"),
      env: { NODE_OPTIONS: "--conditions=@portico/source" },
      // One long-lived process: the in-memory stores of the handler serve every request.
      devStores: false,
    });
    return { url: `${dev.url}${MCP_PATH}`, stop: () => dev.stop() };
  },
};
