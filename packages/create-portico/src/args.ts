/**
 * The command line: `create-portico <dir> --runtime … [--stores …] [--name …] [--package-manager …]
 * [--yes] [--force]`. Parsing never prompts and never touches the file system.
 */
import { parseArgs } from "node:util";
import {
  invalidPackageName,
  PACKAGE_MANAGERS,
  type PackageManager,
  RUNTIMES,
  type Runtime,
  STORE_KINDS,
  STORES_BY_RUNTIME,
  type StoreKind,
} from "./options.ts";

export const USAGE = [
  "usage: create-portico <dir> --runtime node|lambda-sam|lambda-cdk|vercel|workers",
  "                      [--stores memory|dynamodb|redis|durable-objects] [--name <package-name>]",
  "                      [--package-manager npm|pnpm] [--yes] [--force]",
].join("\n");

/** A command line that cannot be run: its message is one line, shown with {@link USAGE}. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** What the command line asks for; anything left out is prompted for, or defaulted with `--yes`. */
export interface CliArgs {
  directory?: string;
  runtime?: Runtime;
  stores?: StoreKind;
  name?: string;
  packageManager?: PackageManager;
  /** Accept the defaults for everything not given, never prompt. */
  yes: boolean;
  /** Write into a directory that is not empty. */
  force: boolean;
  help: boolean;
  version: boolean;
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${allowed.join(", ")} (got ${JSON.stringify(value)})`);
}

/** Parses `argv` (without the node and script paths). Throws {@link UsageError}. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // node:util's messages are one line; keep the first sentence, drop its hints about "--".
    const message = (error as Error).message.split(/\.\s|\n/)[0]?.replace(/\.$/, "") ?? "invalid arguments";
    throw new UsageError(message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(
      `one directory, please (got ${positionals.map((p) => JSON.stringify(p)).join(", ")})`,
    );
  }
  const runtime = oneOf("runtime", values.runtime, RUNTIMES);
  const stores = oneOf("stores", values.stores, STORE_KINDS);
  if (runtime !== undefined && stores !== undefined && !STORES_BY_RUNTIME[runtime].includes(stores)) {
    throw new UsageError(
      `--stores ${stores} does not go with --runtime ${runtime} (choose ${STORES_BY_RUNTIME[runtime].join(" or ")})`,
    );
  }
  if (values.name !== undefined) {
    const problem = invalidPackageName(values.name);
    if (problem !== undefined) throw new UsageError(`--name: ${problem}`);
  }
  const directory = positionals[0];
  if (directory !== undefined && directory.trim() === "") throw new UsageError("the directory is empty");
  const args: CliArgs = {
    yes: values.yes === true,
    force: values.force === true,
    help: values.help === true,
    version: values.version === true,
  };
  if (directory !== undefined) args.directory = directory;
  if (runtime !== undefined) args.runtime = runtime;
  if (stores !== undefined) args.stores = stores;
  if (values.name !== undefined) args.name = values.name;
  const packageManager = oneOf("package-manager", values["package-manager"], PACKAGE_MANAGERS);
  if (packageManager !== undefined) args.packageManager = packageManager;
  return args;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      runtime: { type: "string", short: "r" },
      stores: { type: "string", short: "s" },
      name: { type: "string", short: "n" },
      "package-manager": { type: "string" },
      yes: { type: "boolean", short: "y" },
      force: { type: "boolean", short: "f" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
}
