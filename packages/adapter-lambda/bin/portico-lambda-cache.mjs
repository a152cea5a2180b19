#!/usr/bin/env node
// portico-lambda-cache <bundle.cjs> [--export handler]... [--entry index.mjs] [--host h] [--path /mcp] [--node-flags=--expose-gc] [--legacy] [--call 'tool={"arg":1}']...
// Builds a V8 code cache for a CommonJS Lambda bundle (warmed by a few requests that need no store
// and run no tool; with --legacy also a 2025-era session, which the session store holds meanwhile;
// with --call also the tool calls named, run for real) and writes the Lambda entry that loads the
// bundle with it. Run it with the Node
// version and architecture of the function's runtime (e.g. in the Lambda build image).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseCall } from "./_code-cache-calls.mjs";

const USAGE =
  "usage: portico-lambda-cache <bundle.cjs> [--export handler]... [--entry index.mjs] [--host warm.lambda-url.us-east-1.on.aws] [--path /mcp] [--node-flags=--expose-gc] [--legacy] [--call 'tool={\"arg\":1}']...";
/** The V8 flag the Lambda Node.js runtime starts node with (its bootstrap); a cache made under other flags is refused. */
const LAMBDA_NODE_FLAGS = "--expose-gc";
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const FILE_NAME = /^[\w.-]+$/;

/** One line saying what went wrong, then exit: no stack for a usage problem. */
function fail(message, code = 1) {
  console.error(`portico-lambda-cache: ${message}`);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      export: { type: "string", multiple: true },
      entry: { type: "string", default: "index.mjs" },
      host: { type: "string", default: "warm.lambda-url.us-east-1.on.aws" },
      path: { type: "string", default: "/mcp" },
      "node-flags": { type: "string", default: LAMBDA_NODE_FLAGS },
      legacy: { type: "boolean", default: false },
      call: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (error) {
  fail(`${error.message}\n${USAGE}`, 2);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length !== 1) fail(USAGE, 2);

const bundle = resolve(positionals[0]);
const exportNames = values.export ?? ["handler"];
for (const name of exportNames) {
  if (!IDENTIFIER.test(name)) fail(`--export ${JSON.stringify(name)} is not a JavaScript identifier`, 2);
}
if (!FILE_NAME.test(values.entry) || !values.entry.endsWith(".mjs")) {
  fail(
    `--entry must be a file name ending in .mjs (the Lambda handler is then "<name>.${exportNames[0]}")`,
    2,
  );
}
if (!values.path.startsWith("/")) fail("--path must start with /", 2);
if (!/^[\w.-]+(:\d+)?$/.test(values.host)) fail("--host must be a host name (the function's domain)", 2);
if (!existsSync(bundle) || !statSync(bundle).isFile()) fail(`${positionals[0]}: no such file`, 2);
if (!FILE_NAME.test(basename(bundle)))
  fail(`${basename(bundle)}: name the bundle with letters, digits, ".", "_" or "-" only`, 2);
const entry = join(dirname(bundle), values.entry);
// The runtime resolves the handler "index.handler" to index.js before index.mjs (then index.cjs):
// beside a bundle index.js, an entry index.mjs would never be loaded.
if (basename(bundle) === values.entry.replace(/\.mjs$/, ".js")) {
  fail(
    `--entry ${values.entry} has the bundle's name: the Lambda runtime would load ${basename(bundle)} for that handler, without the cache; choose another (e.g. --entry cached.mjs)`,
    2,
  );
}

const calls = (values.call ?? []).map((text) => {
  const parsed = parseCall(text);
  if (parsed.error !== undefined) fail(parsed.error, 2);
  return parsed.call;
});

const cacheFile = `${bundle}.v8cache`;
const flags = values["node-flags"].split(/\s+/).filter(Boolean);
const warm = fileURLToPath(new URL("./_code-cache-warm.mjs", import.meta.url));
let report;
try {
  const out = execFileSync(
    process.execPath,
    [
      ...flags,
      warm,
      bundle,
      cacheFile,
      exportNames.join(","),
      values.host,
      values.path,
      values.legacy ? "both" : "modern",
      JSON.stringify(calls),
    ],
    {
      encoding: "utf8",
      // The bundle's own output (and the child's one-line failure) goes straight to stderr.
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, PORTICO_CODE_CACHE_BUILD: "1" },
      timeout: 120_000,
    },
  );
  const lines = out.trim().split("\n");
  // What the bundle printed while warming, then the child's report.
  for (const line of lines.slice(0, -1)) console.log(line);
  report = JSON.parse(lines.at(-1));
} catch (error) {
  // The child said why on stderr when it exited 1 (or 2: not a CommonJS bundle); otherwise it was
  // killed or timed out.
  if (error.status === 1 || error.status === 2) process.exit(error.status);
  fail(`warming ${basename(bundle)} failed: ${error.message}`);
}

const template = readFileSync(new URL("./_code-cache-loader.mjs", import.meta.url), "utf8");
const exportLines = exportNames.map((name) => `export const ${name} = await exported.${name};`).join("\n");
writeFileSync(
  entry,
  template.replaceAll("__BUNDLE__", basename(bundle)).replace("// @exports\n", `${exportLines}\n`),
);

const answered = report.warmed.filter((w) => w.status >= 200 && w.status < 300).length;
console.log(
  `${basename(cacheFile)}: ${report.bytes} bytes for Node ${process.version} (${process.arch}), flags [${flags.join(" ")}]`,
);
console.log(
  `${values.entry}: the Lambda entry (handler ${exportNames.map((n) => `"${values.entry.replace(/\.mjs$/, "")}.${n}"`).join(", ")})`,
);
console.log(
  `warmed by ${report.warmed.length} requests (${answered} answered 2xx): ${report.warmed.map((w) => `${w.export}${w.era === "legacy" ? " legacy" : ""} ${w.method} ${w.status}`).join(", ")}`,
);
if (answered === 0) {
  console.warn(
    `portico-lambda-cache: no warm-up request was answered 2xx, so the cache covers little of the request path; check --host and --path (${values.host}${values.path})`,
  );
}
