/**
 * `devWorker(config)`: a Worker under `wrangler dev` (workerd, local Durable Objects) started from
 * Node, for tests, the conformance run and scripts — the same server `wrangler dev --ip 127.0.0.1`
 * gives on the command line. Node only.
 */
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QUIET_WRANGLER_ENV, removeEmptyBuildDirectory, wranglerConfigHome } from "./_wrangler.ts";

/** Options of {@link devWorker}. */
export interface DevWorkerOptions {
  /** Port on 127.0.0.1; default 0 (a free one). */
  port?: number;
  /** Where local Durable Object state is kept. Default: a fresh temporary directory, removed by `stop()`. */
  persistTo?: string;
  /** Vars and secrets the Worker sees in `env` (like `.dev.vars`), added to the config's. */
  vars?: Record<string, string>;
  /**
   * Package export conditions for bundling the Worker, first match wins (wrangler's
   * `WRANGLER_BUILD_CONDITIONS`); default wrangler's own (`workerd`, `worker`, `browser`). A
   * monorepo can put its source condition first to bundle workspace packages from source.
   */
  conditions?: string[];
}

export interface DevWorker {
  /** `http://127.0.0.1:<port>/` */
  url: URL;
  /** Stops wrangler's dev server and workerd, and removes the temporary state. */
  stop(): Promise<void>;
}

interface WranglerWorker {
  url: Promise<URL>;
  ready: Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Starts the Worker of the wrangler configuration file `config` on 127.0.0.1 (inspector and file
 * watching off). Sets {@link QUIET_WRANGLER_ENV} in this process where unset, and points
 * `XDG_CONFIG_HOME` at a temporary directory so wrangler writes no logs or metrics files into
 * the user's home.
 */
export async function devWorker(config: string, options: DevWorkerOptions = {}): Promise<DevWorker> {
  for (const [name, value] of Object.entries(QUIET_WRANGLER_ENV)) process.env[name] ??= value;
  process.env.XDG_CONFIG_HOME ??= wranglerConfigHome();
  const scratch = await mkdtemp(join(tmpdir(), "portico-wrangler-"));
  // A process that ends without stop() (wrangler's own signal handling exits it) leaves nothing behind.
  const atExit = () => {
    try {
      rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Exiting anyway: nothing more to do.
    }
  };
  process.once("exit", atExit);
  const cleanUp = async () => {
    process.off("exit", atExit);
    await removeScratch(scratch);
    await removeEmptyBuildDirectory(config);
  };
  const { unstable_startWorker } = (await import("wrangler")) as unknown as {
    unstable_startWorker(input: unknown): Promise<WranglerWorker>;
  };
  const input: Record<string, unknown> = {
    config,
    dev: {
      server: { hostname: "127.0.0.1", port: options.port ?? 0 },
      inspector: false,
      watch: false,
      persist: options.persistTo ?? join(scratch, "state"),
    },
  };
  if (options.vars) {
    input.bindings = Object.fromEntries(
      Object.entries(options.vars).map(([name, value]) => [name, { type: "plain_text", value }]),
    );
  }
  let worker: WranglerWorker | undefined;
  const previousConditions = process.env.WRANGLER_BUILD_CONDITIONS;
  if (options.conditions) process.env.WRANGLER_BUILD_CONDITIONS = options.conditions.join(",");
  try {
    worker = await unstable_startWorker(input);
    await worker.ready;
    restore("WRANGLER_BUILD_CONDITIONS", previousConditions);
    const url = await worker.url;
    const started = worker;
    return {
      url,
      async stop() {
        try {
          await started.dispose();
        } finally {
          await cleanUp();
        }
      },
    };
  } catch (error) {
    restore("WRANGLER_BUILD_CONDITIONS", previousConditions);
    await worker?.dispose().catch(() => {});
    await cleanUp();
    throw error;
  }
}

/**
 * Removes the Worker's scratch directory (its local state). workerd may still be closing its SQLite
 * files when `dispose()` resolves, which makes a plain removal fail with ENOTEMPTY and leave the
 * directory behind: retried for a while, and what still fails is reported, not thrown.
 */
async function removeScratch(scratch: string): Promise<void> {
  try {
    await rm(scratch, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch (error) {
    console.warn(`[portico] could not remove ${scratch}: ${(error as Error).message}`);
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
