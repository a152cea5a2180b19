import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@portico/source"] },
  ssr: { resolve: { conditions: ["@portico/source"] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          include: [
            "packages/*/test/**/*.test.ts",
            "examples/*/test/**/*.test.ts",
            "examples/*/*/test/**/*.test.ts",
            "test/*/test/**/*.test.ts",
            "docs/test/**/*.test.ts",
          ],
          // Test files that run inside workerd belong to the workerd projects below.
          exclude: [...configDefaults.exclude, "**/test/workerd/**"],
          testTimeout: 20_000,
          hookTimeout: 30_000,
          pool: "forks",
        },
      },
      // Inside workerd (@cloudflare/vitest-plugin), each with its own wrangler config.
      "packages/adapter-workers/vitest.workerd.config.ts",
      "packages/store-durable-objects/vitest.workerd.config.ts",
      "packages/observe/vitest.workerd.config.ts",
    ],
  },
});
