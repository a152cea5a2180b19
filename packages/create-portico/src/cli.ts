/** `create-portico`: parse, prompt for what is missing (on a terminal), check the target, write. */
import { relative, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import { type CliArgs, parseCliArgs, USAGE, UsageError } from "./args.ts";
import {
  defaultStores,
  type PackageManager,
  type ProjectOptions,
  packageNameFrom,
  RUNTIME_DESCRIPTIONS,
  RUNTIMES,
} from "./options.ts";
import { promptMissing } from "./prompt.ts";
import { renderProject } from "./templates/index.ts";
import { porticoVersion } from "./versions.ts";
import { checkTarget, TargetError, writeProject } from "./write.ts";

/** Where the command reads and writes; the process's own streams by default. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  cwd: string;
}

const DEFAULT_DIRECTORY = "my-portico-app";

function help(): string {
  const runtimes = RUNTIMES.map((r) => `  ${r.padEnd(11)} ${RUNTIME_DESCRIPTIONS[r]}`).join("\n");
  return `${USAGE}

Creates a Portico MCP server project in <dir>. Runtimes:
${runtimes}

  --stores           where legacy-era sessions live (default: memory for node, dynamodb for
                     lambda-*, redis for vercel, durable-objects for workers)
  --name             the package name (default: from <dir>)
  --package-manager  the commands the README and the next steps show (default: npm)
  --yes              accept the defaults for anything not given; never prompt
  --force            write into a directory that is not empty
`;
}

/** The options of the project, from complete arguments (defaults filled in). */
function projectOptions(args: CliArgs & { directory: string }): ProjectOptions {
  const runtime = args.runtime ?? "node";
  const base = resolve(args.directory).split(/[\\/]/).filter(Boolean).pop() ?? "";
  return {
    name: args.name ?? packageNameFrom(base),
    runtime,
    stores: args.stores ?? defaultStores(runtime),
    packageManager: args.packageManager ?? "npm",
  };
}

function nextSteps(directory: string, cwd: string, pm: PackageManager): string {
  const rel = relative(cwd, directory);
  const shown = rel.startsWith("..") ? directory : rel;
  const cd = rel === "" ? [] : [`cd ${/\s/.test(shown) ? JSON.stringify(shown) : shown}`];
  return [...cd, `${pm} install`, `${pm} run dev`, `${pm} test`].map((line) => `  ${line}`).join("\n");
}

/** Runs the command with `argv` (without node and the script); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
    if (args.help) {
      io.stdout.write(help());
      return 0;
    }
    if (args.version) {
      io.stdout.write(`${porticoVersion()}\n`);
      return 0;
    }
    if (!args.yes && (args.directory === undefined || args.runtime === undefined)) {
      if (io.stdin.isTTY !== true) {
        throw new UsageError(
          args.directory === undefined
            ? "missing <dir> (or pass --yes for ./my-portico-app)"
            : "missing --runtime (or pass --yes for node)",
        );
      }
      args = await promptMissing(args, io.stdin, io.stdout);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`create-portico: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  const directory = resolve(io.cwd, args.directory ?? DEFAULT_DIRECTORY);
  const options = projectOptions({ ...args, directory });
  try {
    checkTarget(directory, args.force);
    writeProject(directory, renderProject(options, porticoVersion()));
  } catch (error) {
    const message =
      error instanceof TargetError ? error.message : `cannot write ${directory}: ${(error as Error).message}`;
    io.stderr.write(`create-portico: ${message}\n`);
    return 1;
  }
  io.stdout.write(
    `Created ${options.name} in ${directory}: ${RUNTIME_DESCRIPTIONS[options.runtime]}, sessions in ${options.stores}.\n\nNext:\n${nextSteps(directory, io.cwd, options.packageManager)}\n\nSee README.md for deploying.\n`,
  );
  return 0;
}
