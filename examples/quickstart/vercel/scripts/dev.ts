/**
 * `pnpm dev`: `vercel dev --local --listen 127.0.0.1:$PORT` (default 3000) for this project, with
 * what vercel dev's fresh process per request needs: one set of memory stores shared by every
 * process (legacy sessions) and one requestState secret (modern elicitation round trips). With
 * `OAUTH_ISSUER` in the environment the server requires OAuth, with itself as `MCP_RESOURCE`.
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startVercelDev } from "@portico/adapter-vercel/dev";

const port = process.env.PORT ? Number(process.env.PORT) : 3000;
const dev = await startVercelDev({
  cwd: join(dirname(fileURLToPath(import.meta.url)), ".."),
  port,
  env: {
    REQUEST_STATE_SECRET: process.env.REQUEST_STATE_SECRET ?? randomBytes(32).toString("hex"),
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
