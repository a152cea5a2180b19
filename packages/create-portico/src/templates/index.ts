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
  return PROJECTS[options.runtime](options, version);
}
