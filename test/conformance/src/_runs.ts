/** The conformance runs made against every target, and how the pinned CLI is invoked. */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface RunSpec {
  /** Short name, also the results sub-directory. */
  name: string;
  /** Arguments after `server --url <url>`. */
  args: string[];
  /** Baseline file under `baselines/`. */
  baseline: string;
}

/** Scenarios outside the frozen requirement sets that we still hold ourselves to, with their wire version. */
const UNSCORED: [scenario: string, specVersion: string][] = [
  ["json-schema-2020-12", "2025-11-25"],
  ["json-schema-2020-12", "2026-07-28"],
  ["server-sse-polling", "2025-11-25"],
  ["server-session-lifecycle", "2025-11-25"],
  ["http-header-validation", "2026-07-28"],
  ["http-custom-header-server-validation", "2026-07-28"],
];

export const RUNS: RunSpec[] = [
  { name: "2025-11-25", args: ["--requirements", "2025-11-25"], baseline: "2025-11-25.yml" },
  { name: "2026-07-28", args: ["--requirements", "2026-07-28"], baseline: "2026-07-28.yml" },
  ...UNSCORED.map(([scenario, version]) => ({
    name: `${scenario}@${version}`,
    args: ["--scenario", scenario, "--spec-version", version],
    baseline: `unscored-${version}.yml`,
  })),
];

/** The pinned CLI's entry file, resolved from this package's node_modules (never npx). */
export function conformanceBin(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@modelcontextprotocol/conformance/package.json");
  const { bin } = require(pkg) as { bin: Record<string, string> };
  const entry = bin.conformance;
  if (entry === undefined) throw new Error("@modelcontextprotocol/conformance has no `conformance` bin");
  return join(dirname(pkg), entry);
}

/** Runs the CLI once; its output goes to `logFile`. Resolves with the exit code. */
export function runCli(args: string[], logFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logFile);
    const child = spawn(process.execPath, [conformanceBin(), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      log.end(() => resolve(code ?? (signal ? 128 : 1)));
    });
  });
}
