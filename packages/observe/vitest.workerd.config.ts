/**
 * The in-workerd test project (referenced from the root vitest.config.ts): correlation through the
 * Workers adapter inside workerd itself, with the Worker of test/workerd/wrangler.jsonc.
 */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineProject } from "vitest/config";

export default defineProject({
  plugins: [cloudflareTest({ wrangler: { configPath: "./test/workerd/wrangler.jsonc" } })],
  // Workspace packages from their sources, as everywhere else in the repo (the plugin adds the Workers conditions).
  resolve: { conditions: ["@portico/source"] },
  ssr: { resolve: { conditions: ["@portico/source", "workerd", "worker", "module", "browser"] } },
  test: {
    name: "workerd: observe",
    include: ["test/workerd/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
