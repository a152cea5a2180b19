import { defineConfig, type Options } from "tsup";

/** The one tsup configuration every package builds with: ESM + .d.ts, no bundled workspace deps. */
export function packageConfig(overrides: Options = {}): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm"],
    // Members marked `@internal` (plumbing shared between a package's own modules) stay out of the published types.
    dts: { compilerOptions: { stripInternal: true } },
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
