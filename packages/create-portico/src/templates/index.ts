/** Picks the project layout of a runtime. */
import type { ProjectOptions, Runtime } from "../options.ts";
import type { ProjectFiles } from "./common.ts";
import { lambdaCdkProject } from "./lambda-cdk.ts";
import { lambdaSamProject } from "./lambda-sam.ts";
import { nodeProject } from "./node.ts";
import { vercelProject } from "./vercel.ts";
import { workersProject } from "./workers.ts";

export type { ProjectFiles } from "./common.ts";

const PROJECTS: Record<Runtime, (options: ProjectOptions, version: string) => ProjectFiles> = {
  node: nodeProject,
  "lambda-sam": lambdaSamProject,
  "lambda-cdk": lambdaCdkProject,
  vercel: vercelProject,
  workers: workersProject,
};

/**
 * Every file of a new project (relative path → content), depending on `@portico/*` at `^version`.
 * Pure: nothing is written.
 */
export function renderProject(options: ProjectOptions, version: string): ProjectFiles {
  const files = PROJECTS[options.runtime](options, version);
  const builds = INSTALL_SCRIPTS[options.runtime];
  if (builds.length > 0) files["package.json"] = withAllowScripts(files["package.json"] as string, builds);
  if (options.packageManager === "pnpm" && builds.length > 0)
    files["pnpm-workspace.yaml"] = pnpmWorkspace(builds);
  return files;
}

/**
 * npm's `allowScripts` (package.json): since npm 11.16 an install lists the dependencies whose
 * install scripts no entry covers; npm 12 skips those scripts. These ones must run.
 */
function withAllowScripts(manifest: string, builds: string[]): string {
  const parsed = JSON.parse(manifest) as Record<string, unknown>;
  parsed.allowScripts = Object.fromEntries(builds.map((name) => [name, true]));
  return `${JSON.stringify(parsed, null, 2)}\n`;
}

/** The dependencies whose install scripts must run (esbuild's and workerd's postinstall check their binary). */
const INSTALL_SCRIPTS: Record<Runtime, string[]> = {
  node: [],
  "lambda-sam": ["esbuild"],
  "lambda-cdk": ["esbuild"],
  vercel: ["esbuild"],
  workers: ["esbuild", "workerd"],
};

/** pnpm runs no install script it was not allowed to (and pnpm 11+ fails the install over one). */
function pnpmWorkspace(builds: string[]): string {
  return [
    "# pnpm runs only the install scripts allowed here: allowBuilds (newer pnpm), onlyBuiltDependencies (pnpm 10).",
    "allowBuilds:",
    ...builds.map((name) => `  ${name}: true`),
    "onlyBuiltDependencies:",
    ...builds.map((name) => `  - ${name}`),
    "",
  ].join("\n");
}
