import { parseCommand } from "../_args.ts";
import { CliError, usageError } from "../_errors.ts";
import { STDIO_USAGE } from "../_usage.ts";

/** `portico stdio <entry>`: serves until stdin ends or a signal. */
export async function stdioCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { export: { type: "string" } }, STDIO_USAGE);
  if (values.help === true) {
    console.error(STDIO_USAGE);
    return 0;
  }
  const [entry, extra] = positionals;
  if (entry === undefined) throw usageError("stdio needs the tools module to serve", STDIO_USAGE);
  if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)}`, STDIO_USAGE);
  throw new CliError("stdio is not available yet (@portico/adapter-stdio)", 1);
}
