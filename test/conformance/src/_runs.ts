/** The conformance runs made against every target, and how the pinned CLI is invoked. */
import { spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface RunSpec {
  /** Short name, also the results sub-directory. */
  name: string;
  /** Arguments after `server --url <url>`. */
  args: string[];
  /** Baseline file under `baselines/`. */
  baseline: string;
  /**
   * For `--requirements` runs: the revision whose frozen `server:` list decides which scenarios
   * are scored. The set's `not_scored` scenarios (extensions, pending) still run and are shown,
   * but stay out of the totals and, as in the CLI, out of the exit code.
   */
  requirements?: string;
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

/**
 * Extension scenarios off the spec timeline (`source.extensionId`): the CLI runs them with
 * `--scenario` alone at the wire version it picks for extensions (2026-07-28), or at another
 * version with `--spec-version` and `--force`. The skills extension (SEP-2640) runs in both eras;
 * its enumeration scenario only at 2026-07-28, since at 2025-11-25 it skips the two cache-hint
 * checks (defined from 2026-07-28).
 */
const EXTENSIONS: [scenario: string, specVersion: string | undefined][] = [
  ["sep-2640-skills-directory", undefined],
  ["sep-2640-skills-enumeration", undefined],
  ["sep-2640-skills-manifest", undefined],
  ["sep-2640-skills-directory", "2025-11-25"],
  ["sep-2640-skills-manifest", "2025-11-25"],
];

export const RUNS: RunSpec[] = [
  ...["2025-11-25", "2026-07-28"].map((revision) => ({
    name: revision,
    args: ["--requirements", revision],
    baseline: `${revision}.yml`,
    requirements: revision,
  })),
  ...UNSCORED.map(([scenario, version]) => ({
    name: `${scenario}@${version}`,
    args: ["--scenario", scenario, "--spec-version", version],
    baseline: `unscored-${version}.yml`,
  })),
  ...EXTENSIONS.map(([scenario, version]) => ({
    name: `${scenario}@${version ?? "2026-07-28"}`,
    args: ["--scenario", scenario, ...(version === undefined ? [] : ["--spec-version", version, "--force"])],
    baseline: `unscored-${version ?? "2026-07-28"}.yml`,
  })),
];

function packageDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("@modelcontextprotocol/conformance/package.json"));
}

/** The scenarios a frozen requirement set scores on the server leg (its top-level `server:` list). */
export function scoredScenarios(revision: string): Set<string> {
  const text = readFileSync(join(packageDir(), "requirements", `${revision}.yaml`), "utf8");
  const scored = new Set<string>();
  let inServer = false;
  for (const line of text.split("\n")) {
    if (/^\S/.test(line)) inServer = /^server:\s*$/.test(line);
    else if (inServer) {
      const item = /^\s+-\s+([\w./-]+)\s*$/.exec(line);
      if (item?.[1]) scored.add(item[1]);
    }
  }
  if (scored.size === 0) throw new Error(`no server scenarios found in requirements/${revision}.yaml`);
  return scored;
}

/** The pinned CLI's entry file, resolved from this package's node_modules (never npx). */
export function conformanceBin(): string {
  const dir = packageDir();
  const { bin } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    bin: Record<string, string>;
  };
  const entry = bin.conformance;
  if (entry === undefined) throw new Error("@modelcontextprotocol/conformance has no `conformance` bin");
  return join(dir, entry);
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
