// Child of portico-lambda-cache: started with the Node flags the Lambda runtime starts node with
// (V8 refuses a code cache made under other flags). Compiles the CommonJS bundle as the loader will,
// runs its top level, sends each chosen export a few 2026-07-28 requests that need no store and
// run no tool (and with "both", a 2025-era session: opened, listed, closed), plus the tool calls
// the user named (--call), then writes V8's code cache of the bundle (now holding every function
// those requests compiled) after a one-line JSON header.
// argv: <bundle> <cache file> <exports, comma-separated> <host> <path> <"modern" | "both"> <calls: JSON [{name, arguments}]>
// stdout: one JSON line {bytes, warmed: [{export, method, era, status}]}; a failure: one line on stderr, exit 1.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname } from "node:path";
import { PassThrough } from "node:stream";
import { Script } from "node:vm";
import { headerValue, paramHeaders, rpcAnswer, whyFailed } from "./_code-cache-calls.mjs";

const [bundle, cacheFile, exportList, host, path, eras, callList = "[]"] = process.argv.slice(2);
const withLegacy = eras === "both";
/** The tool calls named by --call: run for real, once per era, and their answers checked. */
const calls = JSON.parse(callList);
const names = exportList.split(",");
const MODERN = "2026-07-28";
const LEGACY = "2025-11-25";
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

const WRAPPER = "(function (exports, require, module, __filename, __dirname) {";
const source = readFileSync(bundle, "utf8");
let script;
try {
  // The loader's wrapper and options: V8 takes a cache only for the same source.
  script = new Script(`${WRAPPER}${source}\n})`, { filename: bundle, columnOffset: -WRAPPER.length });
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

/** A payload 2.0 event (HTTP API, Function URL) for one JSON-RPC message, or a DELETE (`message` undefined). */
function event(id, { message, era, name, session, extraHeaders = {} }) {
  const headers = {
    ...extraHeaders,
    host,
    accept: "application/json, text/event-stream",
    "user-agent": "portico-lambda-cache",
  };
  if (message !== undefined) headers["content-type"] = "application/json";
  if (era === "modern") {
    headers["mcp-protocol-version"] = MODERN;
    headers["mcp-method"] = message.method;
    if (name !== undefined) headers["mcp-name"] = headerValue(name);
  } else if (message?.method !== "initialize") {
    headers["mcp-protocol-version"] = LEGACY;
  }
  if (session !== undefined) headers["mcp-session-id"] = session;
  const method = message === undefined ? "DELETE" : "POST";
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
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "portico-lambda-cache" },
      requestId: `warm-${id}`,
      routeKey: "$default",
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(message === undefined ? {} : { body: JSON.stringify(message) }),
    isBase64Encoded: false,
  };
}

const META = {
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientCapabilities": {},
};
const modern = (id, method, params = {}, name = undefined) => ({
  label: method,
  era: "modern",
  name,
  message: { jsonrpc: "2.0", id, method, params: { ...params, _meta: META } },
});
/** A --call: its answer must be a result the tool did not mark as an error. */
const named = (request, call) => ({ ...request, label: `tools/call ${call.name}`, call });
/** 2026-07-28: no store, no tool. */
const MODERN_REQUESTS = [
  (id) => modern(id, "server/discover"),
  (id) => modern(id, "tools/list"),
  (id) => modern(id, "tools/call", { name: NO_TOOL, arguments: {} }, NO_TOOL),
  (id) => modern(id, "resources/list"),
  (id) => modern(id, "prompts/list"),
];
const legacy = (label, message) => ({ label, era: "legacy", message });
/** With --legacy, each --call in the session too (before it is closed). */
const legacyCalls = calls.map(
  (call) => (id) =>
    named(legacy("", { jsonrpc: "2.0", id, method: "tools/call", params: { ...call } }), call),
);
/** With --legacy: a 2025-era session, opened, used and closed (it writes to the configured session store). */
const LEGACY_REQUESTS = [
  (id) =>
    legacy("initialize", {
      jsonrpc: "2.0",
      id,
      method: "initialize",
      params: {
        protocolVersion: LEGACY,
        capabilities: {},
        clientInfo: { name: "portico-lambda-cache", version: "1" },
      },
    }),
  () => legacy("notifications/initialized", { jsonrpc: "2.0", method: "notifications/initialized" }),
  (id) => legacy("tools/list", { jsonrpc: "2.0", id, method: "tools/list", params: {} }),
  (id) =>
    legacy("tools/call", {
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: NO_TOOL, arguments: {} },
    }),
  ...legacyCalls,
  () => legacy("DELETE", undefined),
];
const modernCalls = calls.map(
  (call) => (id) => named(modern(id, "tools/call", { ...call }, call.name), call),
);

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

/** Status, headers and body of a streamed answer: the prelude's (as the runtime reads them). */
async function streamed(handler, e, id) {
  const stream = new PassThrough();
  let prelude;
  const from = globalThis.awslambda.HttpResponseStream.from;
  globalThis.awslambda.HttpResponseStream.from = (s, metadata) => {
    prelude = metadata;
    return s;
  };
  const chunks = [];
  stream.on("data", (chunk) => chunks.push(chunk));
  try {
    await handler(e, stream, context(id));
  } finally {
    globalThis.awslambda.HttpResponseStream.from = from;
  }
  return {
    statusCode: prelude?.statusCode ?? 0,
    headers: prelude?.headers ?? {},
    body: Buffer.concat(chunks).toString("utf8"),
  };
}

/** One request to one export, answered (a throw ends the warm-up). */
async function send(handler, name, request, id, session) {
  const e = event(id, { ...request, session });
  try {
    return handler[STREAMING] ? await streamed(handler, e, id) : await handler(e, context(id));
  } catch (error) {
    fail(`"${name}" threw on ${request.label}: ${error?.message ?? error}`);
  }
}

const bodyOf = (answer) =>
  typeof answer?.body !== "string"
    ? ""
    : answer.isBase64Encoded
      ? Buffer.from(answer.body, "base64").toString("utf8")
      : answer.body;

/** The input schemas of the export's tools (every tools/list page, 2026-07-28), for --call's headers. */
async function inputSchemas(handler, name) {
  const schemas = new Map();
  let cursor;
  for (let page = 0; page < 100; page++) {
    id++;
    const request = modern(id, "tools/list", cursor === undefined ? {} : { cursor });
    const result = rpcAnswer(bodyOf(await send(handler, name, request, id)), id)?.result;
    for (const tool of result?.tools ?? []) schemas.set(tool.name, tool.inputSchema);
    cursor = result?.nextCursor;
    if (typeof cursor !== "string") break;
  }
  return schemas;
}

const warmed = [];
let id = 0;
for (const name of names) {
  let handler = module.exports[name];
  if (handler !== null && typeof handler === "object" && typeof handler.then === "function")
    handler = await handler;
  if (typeof handler !== "function") fail(`${basename(bundle)} exports no function named "${name}"`);
  const schemas = calls.length === 0 ? new Map() : await inputSchemas(handler, name);
  let session;
  const requests = [...MODERN_REQUESTS, ...modernCalls, ...(withLegacy ? LEGACY_REQUESTS : [])];
  for (const make of requests) {
    id++;
    const request = make(id);
    if (request.call !== undefined && request.era === "modern") {
      request.extraHeaders = paramHeaders(schemas.get(request.call.name), request.call.arguments);
    }
    const answer = await send(handler, name, request, id, request.era === "legacy" ? session : undefined);
    if (request.label === "initialize") session = answer?.headers?.["mcp-session-id"];
    const status = answer?.statusCode ?? 0;
    if (request.call !== undefined) {
      const why = whyFailed(rpcAnswer(bodyOf(answer), id), status);
      if (why !== undefined) {
        const era = request.era === "legacy" ? "2025-era" : "2026-07-28";
        fail(
          `--call ${request.call.name}: "${name}" answered its ${era} tools/call with ${why}; name a tool and arguments that it answers without side effects or input`,
        );
      }
    }
    warmed.push({ export: name, method: request.label, era: request.era, status });
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
