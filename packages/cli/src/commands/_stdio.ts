import { randomBytes } from "node:crypto";
import { serveStdio } from "@portico/adapter-stdio";
import { parseCommand } from "../_args.ts";
import { consoleToStderr, stdoutToStderr } from "../_console.ts";
import { usageError } from "../_errors.ts";
import { STDIO_USAGE } from "../_usage.ts";
import { entryApp, loadEntry } from "../load/entry.ts";

/** `portico stdio <entry>`: serves until stdin ends (or SIGINT/SIGTERM). */
export async function stdioCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { export: { type: "string" } }, STDIO_USAGE);
  if (values.help === true) {
    console.log(STDIO_USAGE);
    return 0;
  }
  const [entry, extra] = positionals;
  if (entry === undefined) throw usageError("stdio needs the tools module to serve", STDIO_USAGE);
  if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)}`, STDIO_USAGE);
  // For the whole run, loading the module included (serveStdio does the same while serving).
  consoleToStderr();
  // And process.stdout.write while the module loads.
  const stdout = stdoutToStderr();
  const loaded = await loadEntry(
    entry,
    values.export === undefined ? {} : { exportName: values.export as string },
  );
  const { app, close } = entryApp(loaded, { secret: randomBytes(32).toString("base64") });
  // serveStdio writes with stdout's `write` as it is when called, and sends every other write to
  // stderr itself while serving: it gets the real one (nothing runs in between).
  stdout.restore();
  const server = serveStdio(app);
  const stop = (): void => void server.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await server.closed;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  close();
  return 0;
}
