import { defineConfig, type Options } from "tsup";

/** The one tsup configuration every package builds with: ESM + .d.ts, no bundled workspace deps. */
export function packageConfig(overrides: Options = {}): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "es2023",
    platform: "neutral",
    treeshake: true,
    splitting: false,
    external: [/^@portico\//],
    ...overrides,
  });
}
