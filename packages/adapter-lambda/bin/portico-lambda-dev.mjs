#!/usr/bin/env node
// portico-lambda-dev <module> [--export handler] [--kind v2|v1|alb] [--port 3000] [--timeout 30000]
// Serves a Portico Lambda handler on 127.0.0.1 for the MCP Inspector and SDK clients.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** One line saying what went wrong and what to do, then exit: no stack for a usage problem. */
function fail(message, code = 1) {
  console.error(`portico-lambda-dev: ${message}`);
  process.exit(code);
}

let dev;
try {
  dev = await import("@portico/adapter-lambda/dev");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("adapter-lambda"))
    throw error;
  fail(
    "@portico/adapter-lambda is not built (its dist/ is missing): run `sh scripts/pnpm.sh run build` in the Portico workspace first (installed packages ship it built)",
  );
}
const { installAwslambda, serveLambda } = dev;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    export: { type: "string", default: "handler" },
    kind: { type: "string", default: "v2" },
    port: { type: "string" },
    timeout: { type: "string", default: "30000" },
  },
});
const file = positionals[0];
if (file === undefined || !["v1", "v2", "alb"].includes(values.kind)) {
  console.error(
    "usage: portico-lambda-dev <module> [--export handler] [--kind v2|v1|alb] [--port 3000] [--timeout ms]",
  );
  process.exit(2);
}
// The stand-in must exist before the module runs: streamHandle() looks for it at import time.
installAwslambda();
let mod;
try {
  mod = await import(pathToFileURL(resolve(file)).href);
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes(resolve(file)))
    fail(`cannot find ${file} (looked at ${resolve(file)})`, 2);
  if (error?.code === "ERR_UNKNOWN_FILE_EXTENSION")
    fail(
      `Node ${process.versions.node} cannot load ${file} as it is (TypeScript needs Node ≥ 22.18): use a newer Node, or point at the built .js`,
      2,
    );
  throw error; // an error inside the module: its stack is what helps
}
const handler = mod[values.export];
if (typeof handler !== "function") {
  fail(`${file} has no exported function ${JSON.stringify(values.export)} (choose one with --export)`, 2);
}
const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
  fail(`--port ${JSON.stringify(values.port)} is not a port: give an integer from 0 to 65535`, 2);
// The function's timeout becomes each invocation's deadline, which timers wait for: at most 2^31−1 ms.
const timeoutMs = Number(values.timeout);
if (!(timeoutMs >= 1 && timeoutMs <= 2_147_483_647))
  fail(
    `--timeout ${JSON.stringify(values.timeout)} is not a timeout: give a number of ms from 1 to 2147483647 (about 24.8 days)`,
    2,
  );
let server;
try {
  server = await serveLambda(handler, {
    kind: values.kind,
    timeoutMs,
    ...(port === undefined ? {} : { port }),
  });
} catch (error) {
  if (error?.code === undefined) throw error;
  fail(error.message);
}
// invokeSelf() (tasks) reads these on every dispatch: its runs go to this server's stand-in of
// Lambda's Invoke API, as deployed runs go to Lambda. A value the environment already has wins.
process.env.AWS_ENDPOINT_URL_LAMBDA ??= server.url;
process.env.AWS_LAMBDA_FUNCTION_NAME ??= "portico-local";
console.log(`Lambda handler ${values.export} (${values.kind} events) at ${server.url}/mcp`);
const stop = () => server.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
