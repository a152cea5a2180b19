// Child of portico-lambda-cache: started with the Node flags the Lambda runtime starts node with
// (V8 refuses a code cache made under other flags). Compiles the CommonJS bundle as the loader will,
// runs its top level, sends each chosen export a few 2026-07-28 requests that need no store and
// run no tool, then writes V8's code cache of the bundle (now holding every function those requests
// compiled) after a one-line JSON header.
// argv: <bundle> <cache file> <exports, comma-separated> <host> <path>
// stdout: one JSON line {bytes, warmed: [{export, method, status}]}; a failure: one line on stderr, exit 1.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname } from "node:path";
import { PassThrough } from "node:stream";
import { Script } from "node:vm";

const [bundle, cacheFile, exportList, host, path] = process.argv.slice(2);
const names = exportList.split(",");
const MODERN = "2026-07-28";
/** A tool name no server registers: tools/call answers "unknown tool" and runs nothing. */
const NO_TOOL = "portico-code-cache-warm-up";

function fail(message, code = 1) {
  process.stderr.write(`portico-lambda-cache: ${message}\n`);
  process.exit(code);
}

// The Lambda runtime's `awslambda` global, for bundles that call streamHandle() at their top level.
const STREAMING = Symbol("streaming");
if (globalThis.awslambda === undefined) {
  globalThis.awslambda = {
    streamifyResponse: (handler) => Object.assign(handler, { [STREAMING]: true }),
    HttpResponseStream: { from: (stream) => stream },
  };
}

const source = readFileSync(bundle, "utf8");
let script;
try {
  script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
  });
} catch (error) {
  if (/import statement|token 'export'|import\.meta|await is only valid/.test(String(error?.message))) {
    fail(
      `${basename(bundle)} looks like an ES module: bundle it as CommonJS (esbuild --format=cjs); top-level await becomes an exported promise of the handler`,
      2,
    );
  }
  fail(`${basename(bundle)} does not compile: ${error?.message ?? error}`);
}
const module = { exports: {} };
try {
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
} catch (error) {
  fail(`running ${basename(bundle)}'s top level failed: ${error?.message ?? error}`);
}

function event(id, method, params, name) {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id,
    method,
    params: {
      ...params,
      _meta: {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
      },
    },
  });
  const headers = {
    host,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": MODERN,
    "mcp-method": method,
    "user-agent": "portico-lambda-cache",
  };
  if (name !== undefined) headers["mcp-name"] = name;
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers,
    requestContext: {
      accountId: "anonymous",
      apiId: "warm",
      domainName: host,
      domainPrefix: host.split(".")[0],
      http: {
        method: "POST",
        path,
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "portico-lambda-cache",
      },
      requestId: `warm-${id}`,
      routeKey: "$default",
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}

const REQUESTS = [
  ["server/discover", {}],
  ["tools/list", {}],
  ["tools/call", { name: NO_TOOL, arguments: {} }, NO_TOOL],
  ["resources/list", {}],
  ["prompts/list", {}],
];

function context(id) {
  return {
    awsRequestId: `warm-${id}`,
    functionName: "portico-code-cache",
    functionVersion: "$LATEST",
    memoryLimitInMB: "512",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
  };
}

/** The status line of a streamed answer: the prelude's statusCode (read as the runtime would). */
async function streamed(handler, e, id) {
  const stream = new PassThrough();
  let status = 0;
  const from = globalThis.awslambda.HttpResponseStream.from;
  globalThis.awslambda.HttpResponseStream.from = (s, metadata) => {
    status = metadata?.statusCode ?? 0;
    return s;
  };
  stream.resume();
  try {
    await handler(e, stream, context(id));
  } finally {
    globalThis.awslambda.HttpResponseStream.from = from;
  }
  return status;
}

const warmed = [];
let id = 0;
for (const name of names) {
  let handler = module.exports[name];
  if (handler !== null && typeof handler === "object" && typeof handler.then === "function")
    handler = await handler;
  if (typeof handler !== "function") fail(`${basename(bundle)} exports no function named "${name}"`);
  for (const [method, params, target] of REQUESTS) {
    id++;
    const e = event(id, method, params, target);
    let status;
    try {
      status = handler[STREAMING]
        ? await streamed(handler, e, id)
        : (await handler(e, context(id)))?.statusCode;
    } catch (error) {
      fail(`"${name}" threw on ${method}: ${error?.message ?? error}`);
    }
    warmed.push({ export: name, method, status: status ?? 0 });
  }
}

const data = script.createCachedData();
const header = JSON.stringify({
  format: "portico-v8-code-cache",
  version: 1,
  node: process.version,
  arch: process.arch,
  flags: process.execArgv,
  bundle: basename(bundle),
  bundleBytes: Buffer.byteLength(source),
  bytes: data.byteLength,
});
writeFileSync(cacheFile, Buffer.concat([Buffer.from(`${header}\n`), data]));
process.stdout.write(`${JSON.stringify({ bytes: data.byteLength, warmed })}\n`);
// A bundle may hold the event loop open (store clients, timers): the cache is written, so stop.
process.exit(0);
