/**
 * The baseline's server child: `node baseline-server.ts '<json BaselineModules>'` serves the old
 * core's `add` app (apps/portico-baseline.ts) through the old Node adapter's `serve`, both loaded
 * by absolute path from the baseline worktree. Like server.ts it prints `{"url": ...}` once
 * listening. It imports nothing of the new Portico (types aside).
 */

import { ready } from "./_ready.ts";
import type { FetchTarget } from "./apps/_fetch-target.ts";
import { loadPorticoBaseline } from "./apps/portico-baseline.ts";
import type { BaselineModules } from "./baseline.ts";

/** The part of the old `@portico/adapter-node` used here. */
interface BaselineNodeAdapter {
  serve(
    app: FetchTarget,
    opts: { port: number; hostname: string; gracefulTimeoutMs: number },
  ): Promise<{ url: string }>;
}

async function main(): Promise<void> {
  const modules = JSON.parse(process.argv[2] ?? "") as BaselineModules;
  const handler = await loadPorticoBaseline(modules.core);
  const adapter = (await import(modules.adapterNode)) as BaselineNodeAdapter;
  const server = await adapter.serve(handler, { port: 0, hostname: "127.0.0.1", gracefulTimeoutMs: 500 });
  ready(`${server.url}/mcp`, () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
