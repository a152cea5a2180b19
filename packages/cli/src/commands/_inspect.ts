import { spawn } from "node:child_process";
import { parseCommand, parsePort } from "../_args.ts";
import { CliError, usageError } from "../_errors.ts";
import { INSPECT_USAGE } from "../_usage.ts";
import { type DevServer, startDevServer } from "../dev/dev-server.ts";
import { type InspectorTarget, inspectorArgs, inspectorLaunch, stdioLaunch } from "../inspect/launch.ts";
import { processConditions } from "../load/_project.ts";
import { resolveEntry } from "../load/entry.ts";
import { checkUrl, isUrl, parseHeaders } from "./_targets.ts";

/** Runs a process with this terminal until it exits; its exit code. SIGINT/SIGTERM are passed on. */
function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward("SIGINT");
    const onTerm = forward("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    const done = (): void => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    };
    child.once("error", (error) => {
      done();
      reject(new CliError(`cannot start the MCP Inspector (${command}): ${error.message}`, 1));
    });
    child.once("exit", (code, signal) => {
      done();
      resolve(code ?? (signal === null ? 1 : 128 + 2));
    });
  });
}

/** `portico inspect <entry|url>`: the Inspector's exit code. */
export async function inspectCommand(argv: string[]): Promise<number> {
  const dashes = argv.indexOf("--");
  const own = dashes < 0 ? argv : argv.slice(0, dashes);
  const extra = dashes < 0 ? [] : argv.slice(dashes + 1);
  const { values, positionals } = parseCommand(
    own,
    {
      cli: { type: "boolean" },
      stdio: { type: "boolean" },
      export: { type: "string" },
      port: { type: "string" },
      header: { type: "string", multiple: true },
    },
    INSPECT_USAGE,
  );
  if (values.help === true) {
    console.log(INSPECT_USAGE);
    return 0;
  }
  const [target, more] = positionals;
  if (target === undefined) throw usageError("inspect needs a tools module or a URL", INSPECT_USAGE);
  if (more !== undefined) throw usageError(`unexpected argument ${JSON.stringify(more)}`, INSPECT_USAGE);
  const exportName = values.export as string | undefined;
  const headers = parseHeaders((values.header as string[] | undefined) ?? [], INSPECT_USAGE);
  const port = parsePort(values.port as string | undefined, 0, INSPECT_USAGE);

  let server: DevServer | undefined;
  let inspected: InspectorTarget;
  if (isUrl(target)) {
    checkUrl(target);
    inspected = { url: target, headers };
  } else if (values.stdio === true) {
    resolveEntry(target);
    inspected = stdioLaunch(target, exportName, processConditions());
  } else {
    const log = (line: string): void => console.error(line);
    server = await startDevServer(target, {
      port,
      hostname: "127.0.0.1",
      ...(exportName === undefined ? {} : { exportName }),
      log,
      warn: log,
    });
    console.error(`portico inspect: ${target} (${server.exportName}) at ${server.endpoint}`);
    inspected = { url: server.endpoint, headers };
  }
  const launch = inspectorLaunch(inspectorArgs(inspected, values.cli === true, extra));
  try {
    if ("problem" in launch) throw new CliError(launch.problem, 1);
    return await run(launch.command, launch.args);
  } finally {
    await server?.close();
  }
}
