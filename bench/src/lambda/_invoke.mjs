// Child of cold-start.ts and openapi-cost.ts: a fresh process imports one bundle and answers one event.
// Prints {"ms": import + first answer, "importMs": the import alone, "status": ..., "ok": the sum came back (tools/call add),
// "tools": tools on the answer's page (tools/list), "session": the answer opened a legacy session
// (initialize), "rssMb": the process's RSS after answering}.
// Before it loads a function's handler, the Lambda runtime client has already run its own module,
// whose top level reads `import.meta.url` (aws-lambda-ric's index.mjs: `createRequire(import.meta.url)`),
// which loads Node's import.meta initialiser (~0.4 ms under `--expose-gc`): done here too, untimed.
import { createRequire } from "node:module";

createRequire(import.meta.url);
const [bundle, eventJson] = process.argv.slice(2);
const started = performance.now();
const mod = await import(bundle);
const imported = performance.now();
const result = await mod.handler(JSON.parse(eventJson), {
  awsRequestId: "cold",
  getRemainingTimeInMillis: () => 30_000,
});
const ms = performance.now() - started;
const text = typeof result?.body === "string" ? result.body : "";
let tools = 0;
try {
  tools = JSON.parse(text).result?.tools?.length ?? 0;
} catch {}
const rssMb = process.memoryUsage().rss / 2 ** 20;
const session = typeof result?.headers?.["mcp-session-id"] === "string";
const ok = text.includes('"text":"5"');
process.stdout.write(
  `${JSON.stringify({ ms, importMs: imported - started, status: result?.statusCode, ok, tools, session, rssMb })}\n`,
);
