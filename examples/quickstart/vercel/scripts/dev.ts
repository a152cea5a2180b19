/**
 * `pnpm start`: `vercel dev --local --listen 127.0.0.1:$PORT` (default 3000) for this project, run
 * on the workspace's TypeScript sources (no build needed). The functions share stores and a
 * requestState secret through the adapter's dev daemon (`vercelDevDefaults` in src/app.ts), as
 * under a plain `vercel dev`. With `OAUTH_ISSUER` in the environment the server requires OAuth,
 * with itself as `MCP_RESOURCE`.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startVercelDev } from "@portico/adapter-vercel/dev";

const port = process.env.PORT ? Number(process.env.PORT) : 3000;
const dev = await startVercelDev({
  cwd: join(dirname(fileURLToPath(import.meta.url)), ".."),
  port,
  // The functions' own dev daemon instead (what a plain `vercel dev` gets); stop() ends it.
  devStores: false,
  env: {
    // The OAuth resource when OAUTH_ISSUER is set (src/app.ts): this server's own endpoint.
    MCP_RESOURCE: process.env.MCP_RESOURCE ?? `http://127.0.0.1:${port}/mcp`,
    // Workspace packages resolve to their TypeScript sources: no build needed.
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --conditions=@portico/source`.trim(),
  },
  onOutput: (text) => process.stdout.write(text),
});
console.log(`\nMCP endpoint: ${dev.url}/mcp`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void dev.stop().then(() => process.exit(0));
  });
}
