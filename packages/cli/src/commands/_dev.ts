import { parseCommand, parsePort } from "../_args.ts";
import { usageError } from "../_errors.ts";
import { DEV_USAGE } from "../_usage.ts";
import { startDevServer } from "../dev/dev-server.ts";
import { untilSignal } from "./_signals.ts";

/** `portico dev <entry>`: serves until SIGINT/SIGTERM. */
export async function devCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      port: { type: "string" },
      host: { type: "string" },
      lambda: { type: "boolean" },
      export: { type: "string" },
    },
    DEV_USAGE,
  );
  if (values.help === true) {
    console.log(DEV_USAGE);
    return 0;
  }
  const [entry, extra] = positionals;
  if (entry === undefined) throw usageError("dev needs the tools module to serve", DEV_USAGE);
  if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)}`, DEV_USAGE);
  const lambda = values.lambda === true;
  const server = await startDevServer(entry, {
    port: parsePort(values.port as string | undefined, 3000, DEV_USAGE),
    hostname: (values.host as string | undefined) ?? "127.0.0.1",
    lambda,
    ...(values.export === undefined ? {} : { exportName: values.export as string }),
    log: (line) => console.log(line),
    warn: (line) => console.error(line),
  });
  const via = lambda ? "through the Lambda adapter (Function URL events)" : "on Node";
  console.log(`portico dev: ${entry} (${server.exportName}) ${via} at ${server.endpoint}`);
  if (server.hostNote !== undefined) console.log(server.hostNote);
  console.log("watching for changes; Ctrl-C stops");
  return untilSignal(() => server.close());
}
