/**
 * The one in-workerd test project every package with Workers tests uses (each referenced from the
 * root vitest.config.ts): its `test/workerd/**\/*.test.ts` files run inside workerd with the Worker
 * of its `test/workerd/wrangler.jsonc`. The package passes `cloudflareTest` in, so the plugin is
 * resolved from the package that depends on it.
 */
import { defineProject } from "vitest/config";

type WorkerdPlugin = (options: { wrangler: { configPath: string } }) => unknown;

export function workerdProject(
  name: string,
  cloudflareTest: WorkerdPlugin,
): ReturnType<typeof defineProject> {
  return defineProject({
    plugins: [cloudflareTest({ wrangler: { configPath: "./test/workerd/wrangler.jsonc" } }) as never],
    // Workspace packages from their sources, as everywhere else in the repo (the plugin adds the Workers conditions).
    resolve: { conditions: ["@portico/source"] },
    ssr: { resolve: { conditions: ["@portico/source", "workerd", "worker", "module", "browser"] } },
    test: {
      name: `workerd: ${name}`,
      include: ["test/workerd/**/*.test.ts"],
      testTimeout: 20_000,
      hookTimeout: 30_000,
    },
  });
}
