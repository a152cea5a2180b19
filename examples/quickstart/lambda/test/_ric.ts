/**
 * Starts the official AWS Lambda runtime interface client (`aws-lambda-ric`, the Node.js runtime of
 * the Lambda base images) as one execution environment of a {@link LocalFunction}: its own process
 * group, the pinned Node, and the environment Lambda gives a function.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { LocalFunction } from "./_runtime-api.ts";
import { REGION, workspaceRoot } from "./_stand-ins.ts";
import { packageRoot } from "./_templates.ts";

/** Where scripts/ensure-ric.sh installs the RIC: its own npm project, outside the pnpm workspace. */
const RIC_DIR = join(packageRoot, "ric");
const ADDON = join(RIC_DIR, "node_modules", "aws-lambda-ric", "rapid-client.node");

/** Whether this platform builds the RIC's native addon (its install skips the build on macOS). */
export const ricSupported = process.platform === "linux";

/**
 * The RIC's entry (`index.mjs`), installing it first with `scripts/ensure-ric.sh` when missing (a
 * native build of about a minute, once per checkout). Throws when the install fails.
 */
export function ensureRic(): string {
  if (!existsSync(ADDON)) {
    execFileSync("sh", [join(workspaceRoot, "scripts", "ensure-ric.sh")], {
      stdio: ["ignore", "inherit", "inherit"],
      timeout: 300_000,
    });
  }
  return createRequire(join(RIC_DIR, "package.json")).resolve("aws-lambda-ric");
}

let ricEntry: string | undefined;

/** The workspace's pinned Node (the `node` devDependency), else the one running the tests. */
export const pinnedNode =
  [join(workspaceRoot, "node_modules", "node", "bin", "node")].find(existsSync) ?? process.execPath;

export interface RicOptions {
  /** `_HANDLER`, e.g. `handler.streamHandler` for `handler.mjs` in the task root. */
  handler: string;
  /** `LAMBDA_TASK_ROOT`: the directory holding the code. */
  taskRoot: string;
  /** The function's own variables. */
  env: Record<string, string>;
  /** Node options before the RIC's entry; the Lambda runtime's bootstrap uses `--expose-gc` (and heap sizes). */
  nodeArgs?: string[];
}

export interface RicProcess {
  /** The instance id in the {@link LocalFunction}. */
  readonly instance: number;
  readonly child: ChildProcess;
  /** stdout and stderr so far (the RIC writes one line per log call: time, request id, level, text). */
  output(): string;
  running(): boolean;
  /** Stops the whole process group (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {}
}

export async function startRic(fn: LocalFunction, options: RicOptions): Promise<RicProcess> {
  ricEntry ??= ensureRic();
  const { id, address } = await fn.addInstance();
  const child = spawn(pinnedNode, [...(options.nodeArgs ?? []), ricEntry], {
    cwd: options.taskRoot,
    detached: true, // its own process group, so stop() reaches everything it starts
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      TZ: ":UTC",
      LANG: "en_US.UTF-8",
      _HANDLER: options.handler,
      LAMBDA_TASK_ROOT: options.taskRoot,
      AWS_LAMBDA_RUNTIME_API: address,
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]instance-${id}`,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      ...options.env,
    },
  });
  let output = "";
  const collect = (chunk: string): void => {
    output += chunk;
  };
  child.stdout?.setEncoding("utf8").on("data", collect);
  child.stderr?.setEncoding("utf8").on("data", collect);
  const gone = (): void => fn.instanceGone(id);
  const exited = once(child, "exit").then(gone, gone);
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    instance: id,
    child,
    output: () => output,
    running,
    async stop() {
      if (!running()) return;
      signalGroup(child, "SIGTERM");
      const kill = setTimeout(() => signalGroup(child, "SIGKILL"), 3_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
