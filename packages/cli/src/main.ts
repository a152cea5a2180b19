import { CliError, oneLine } from "./_errors.ts";
import { OVERVIEW, USAGES } from "./_usage.ts";
import { cliVersion } from "./_version.ts";

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  dev: async () => (await import("./commands/_dev.ts")).devCommand,
  stdio: async () => (await import("./commands/_stdio.ts")).stdioCommand,
  inspect: async () => (await import("./commands/_inspect.ts")).inspectCommand,
  call: async () => (await import("./commands/_call.ts")).callCommand,
};

function help(topic: string | undefined): number {
  if (topic === undefined) {
    console.log(OVERVIEW);
    return 0;
  }
  const usage = USAGES[topic];
  if (usage === undefined) throw new CliError(`unknown command ${JSON.stringify(topic)}`, 2, OVERVIEW);
  console.log(usage);
  return 0;
}

async function dispatch(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) throw new CliError("give a command", 2, OVERVIEW);
  if (first === "--version" || first === "-v" || first === "version") {
    console.log(cliVersion());
    return 0;
  }
  if (first === "help" || first === "--help" || first === "-h") return help(rest[0]);
  const load = COMMANDS[first];
  if (load === undefined) {
    const what = first.startsWith("-") ? "option" : "command";
    throw new CliError(`unknown ${what} ${JSON.stringify(first)}`, 2, OVERVIEW);
  }
  return (await load())(rest);
}

/**
 * Runs the `portico` command line (without `node` and the script): the exit code. Problems the
 * user can fix print one line (`portico: …`) to stderr, usage problems followed by the usage.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`portico: ${error.message}`);
      if (error.usage !== undefined) console.error(`\n${error.usage}`);
      return error.exitCode;
    }
    console.error(`portico: unexpected failure: ${oneLine(error)}`);
    if (process.env.PORTICO_DEBUG) console.error(error);
    return 1;
  }
}
