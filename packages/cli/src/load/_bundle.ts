import { createHash } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, extname, join, relative } from "node:path";
import * as esbuild from "esbuild";
import { cacheDir, processConditions } from "./_project.ts";
import { requireBanner, SOURCE_PATH_DEFINES, sourcePaths } from "./_source-paths.ts";

/** One build of an entry: the bundle written (content-addressed), or one line saying what failed. */
export type BuildOutcome =
  | { ok: true; file: string; changed: boolean; startedAt: number }
  | { ok: false; message: string };

/** `file:line:column: text` for esbuild's first error, paths relative to the working directory. */
export function describeBuildError(messages: readonly esbuild.Message[]): string {
  const first = messages[0];
  if (first === undefined) return "the build failed";
  const where = first.location;
  const text = first.text.replace(/\s*\n\s*/g, " ");
  if (where === null) return text;
  return `${where.file}:${where.line}:${where.column + 1}: ${text}`;
}

function options(entryFile: string, outDir: string): esbuild.BuildOptions {
  const major = Number(process.versions.node.split(".")[0]);
  return {
    entryPoints: [entryFile],
    bundle: true,
    // Bare imports stay imports, resolved by Node from the bundle's place in the user's project.
    packages: "external",
    platform: "node",
    format: "esm",
    target: `node${major}`,
    conditions: processConditions(),
    outfile: join(outDir, "entry.mjs"),
    write: false,
    sourcemap: "inline",
    sourcesContent: false,
    logLevel: "silent",
    // The bundled files keep their own paths (import.meta.url, __dirname…) and CommonJS `require`.
    define: SOURCE_PATH_DEFINES,
    banner: { js: requireBanner(entryFile) },
    plugins: [sourcePaths()],
  };
}

/**
 * Bundles a tools module (TypeScript or JavaScript) into one ESM file in the project's
 * `node_modules/.cache/portico/`, named by its content hash — so a rebuild that changes nothing
 * reuses the module Node already loaded, and every change gets a fresh URL to import.
 */
export class EntryBundler {
  readonly #entryFile: string;
  readonly #outDir: string;
  readonly #stem: string;
  #last: string | undefined;
  #context: esbuild.BuildContext | undefined;

  constructor(entryFile: string) {
    this.#entryFile = entryFile;
    this.#outDir = cacheDir(entryFile);
    this.#stem = basename(entryFile, extname(entryFile)).replace(/[^\w.-]/g, "_");
  }

  /** Builds once. */
  async build(): Promise<BuildOutcome> {
    try {
      const startedAt = performance.now();
      return this.#write(await esbuild.build(options(this.#entryFile, this.#outDir)), startedAt);
    } catch (error) {
      return this.#failure(error);
    }
  }

  /**
   * Builds, then rebuilds whenever the entry or a file it imports (not packages) changes, calling
   * `onBuild` with each outcome; resolves with the first outcome.
   */
  async watch(onBuild: (outcome: BuildOutcome) => void): Promise<BuildOutcome> {
    let first: ((outcome: BuildOutcome) => void) | undefined;
    const firstOutcome = new Promise<BuildOutcome>((resolve) => {
      first = resolve;
    });
    const plugin: esbuild.Plugin = {
      name: "portico-watch",
      setup: (build) => {
        let startedAt = performance.now();
        build.onStart(() => {
          startedAt = performance.now();
        });
        build.onEnd((result) => {
          const outcome = result.errors.length > 0 ? this.#failure(result) : this.#write(result, startedAt);
          if (first !== undefined) {
            first(outcome);
            first = undefined;
          } else onBuild(outcome);
        });
      },
    };
    const base = options(this.#entryFile, this.#outDir);
    this.#context = await esbuild.context({ ...base, plugins: [...(base.plugins ?? []), plugin] });
    await this.#context.watch();
    return firstOutcome;
  }

  /** Stops watching. */
  async dispose(): Promise<void> {
    await this.#context?.dispose();
    this.#context = undefined;
  }

  /** Deletes a bundle that is no longer served. */
  forget(file: string): void {
    if (file !== this.#last) rmSync(file, { force: true });
  }

  #write(result: esbuild.BuildResult, startedAt: number): BuildOutcome {
    const output = result.outputFiles?.[0];
    if (output === undefined) return { ok: false, message: "the build produced no output" };
    const hash = createHash("sha256").update(output.contents).digest("hex").slice(0, 12);
    const file = join(this.#outDir, `${this.#stem}-${hash}.mjs`);
    const changed = file !== this.#last;
    if (changed) {
      mkdirSync(this.#outDir, { recursive: true });
      // Written aside, then renamed into place: another `portico` process bundling the same entry
      // writes the same name, and must never import a half-written file.
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, output.contents);
      renameSync(temporary, file);
      this.#last = file;
    }
    return { ok: true, file, changed, startedAt };
  }

  #failure(error: unknown): BuildOutcome {
    const errors = (error as { errors?: esbuild.Message[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) return { ok: false, message: describeBuildError(errors) };
    const text = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `${relative(process.cwd(), this.#entryFile)}: ${text.split("\n")[0]}` };
  }
}
