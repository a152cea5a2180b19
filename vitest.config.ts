import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@portico/source"] },
  ssr: { resolve: { conditions: ["@portico/source"] } },
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
      "examples/*/*/test/**/*.test.ts",
      "test/*/test/**/*.test.ts",
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
