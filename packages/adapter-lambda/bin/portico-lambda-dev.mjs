#!/usr/bin/env node
// portico-lambda-dev <module> [--export handler] [--kind v2|v1|alb] [--port 3000] [--timeout 30000]
// Serves a Portico Lambda handler on 127.0.0.1 for the MCP Inspector and SDK clients.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { installAwslambda, serveLambda } from "@portico/adapter-lambda/dev";

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
const mod = await import(pathToFileURL(resolve(file)).href);
const handler = mod[values.export];
if (typeof handler !== "function") {
  console.error(`${file} has no exported function ${JSON.stringify(values.export)}`);
  process.exit(2);
}
const server = await serveLambda(handler, {
  kind: values.kind,
  timeoutMs: Number(values.timeout),
  ...(values.port === undefined ? {} : { port: Number(values.port) }),
});
console.log(`Lambda handler ${values.export} (${values.kind} events) at ${server.url}/mcp`);
const stop = () => server.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
