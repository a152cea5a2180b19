/**
 * What both Lambda projects (SAM, CDK) share: the handler module (buffered `handler`, streaming
 * `streamHandler`), its configuration, the requestState secret from Secrets Manager, the esbuild
 * bundle and the test that invokes the handlers with Function URL events.
 */
import type { ProjectOptions } from "../options.ts";
import { dlx, logsReadme, mcpTestHelper, type ProjectFiles, toolsModule } from "./common.ts";

/** esbuild's command line for `dist/handler.mjs` (one minified ESM file, Node built-ins external). */
export const BUNDLE =
  "esbuild src/handler.ts --bundle --minify --platform=node --target=node22 --format=esm --outfile=dist/handler.mjs --log-level=warning";

function configModule(options: ProjectOptions): string {
  const dynamodb = options.stores === "dynamodb";
  return `/**
 * The function's configuration, from its environment: \`template.yaml\` / the CDK stack set
 * ${dynamodb ? "`TABLE_NAME` and " : ""}\`SECRET_ARN\`, the Lambda runtime the \`AWS_*\` variables.
 * Outside Lambda (\`npm run dev\`, \`npm test\`) they may be left out: then the stores are in memory
 * and the requestState secret is drawn at random, for this process only.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Config {
${dynamodb ? "  /** The DynamoDB table of the sessions, event logs and bus (`TABLE_NAME`); unset outside Lambda: memory. */\n  tableName?: string;\n" : ""}  /** The Secrets Manager secret sealing requestState (\`SECRET_ARN\`); unset outside Lambda: a random one. */
  secretArn?: string;
  region: string;
  credentials?: AwsCredentials;
  /** \`ALLOWED_HOSTS\`: host names besides the Function URL's own (a custom domain, a CloudFront distribution). */
  allowedHosts: string[];
  /** \`ALLOWED_ORIGINS\`: browser origins besides same-origin and localhost. */
  allowedOrigins: string[];
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/** Reads the configuration; on Lambda (\`AWS_LAMBDA_FUNCTION_NAME\` set) a missing variable is an error. */
export function readConfig(env: Env): Config {
  const required = [${dynamodb ? '"TABLE_NAME", ' : ""}"SECRET_ARN"];
  const missing = required.filter((name) => !env[name]);
  if (env.AWS_LAMBDA_FUNCTION_NAME && missing.length > 0) {
    throw new Error(
      \`Missing environment variable(s) \${missing.join(", ")}: the template or the stack sets them\`,
    );
  }
  const config: Config = {
    region: env.AWS_REGION ?? "us-east-1",
    allowedHosts: list(env.ALLOWED_HOSTS),
    allowedOrigins: list(env.ALLOWED_ORIGINS),
  };
${dynamodb ? "  if (env.TABLE_NAME) config.tableName = env.TABLE_NAME;\n" : ""}  if (env.SECRET_ARN) config.secretArn = env.SECRET_ARN;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    config.credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
    if (env.AWS_SESSION_TOKEN) config.credentials.sessionToken = env.AWS_SESSION_TOKEN;
  }
  return config;
}
`;
}

function secretModule(): string {
  return `/**
 * The requestState secret: one signed Secrets Manager \`GetSecretValue\` call per cold start
 * (\`readSecret\` of @portico/adapter-lambda: neither the AWS SDK, nor undici — Node's \`fetch\` — nor
 * Node's crypto is loaded). The value lives only in the function's memory.
 */
import { randomBytes } from "node:crypto";
import { readSecret } from "@portico/adapter-lambda";
import type { Config } from "./config.ts";

export async function fetchSecret(config: Config): Promise<string> {
  // Outside Lambda (dev server, tests): one process, so a random secret of its own will do.
  if (config.secretArn === undefined) return randomBytes(32).toString("hex");
  if (config.credentials === undefined) {
    throw new Error("No AWS credentials to read the requestState secret with");
  }
  // An HMAC key should carry at least 256 bits: shorter secrets are refused.
  return readSecret(config.secretArn, { region: config.region, credentials: config.credentials, minLength: 32 });
}
`;
}

function handlerModule(options: ProjectOptions): string {
  const dynamodb = options.stores === "dynamodb";
  return `/**
 * The Lambda entry points, bundled into \`dist/handler.mjs\` by \`npm run build\`:
 * - \`streamHandler\`: response streaming, behind the Function URL (\`InvokeMode: RESPONSE_STREAM\`);
 * - \`handler\`: buffered, for an API Gateway route or an ALB (long-lived streams get 405 there).
 *
 * The MCP endpoint is \`/mcp\`; other paths answer 404. The cold start reads the configuration and
 * fetches the requestState secret (a top-level await: a failure fails the init, not a request).
 * Every request writes a JSON log line and CloudWatch EMF metrics (@portico/observe; \`LOG_LEVEL\`).
 */
import { handle, streamHandle } from "@portico/adapter-lambda";
import { createHandler, type ExecutionContextLike, type HandlerOptions } from "@portico/core";
import { emfMetrics, observe, parseLevel } from "@portico/observe";
${dynamodb ? 'import { dynamoDbStores } from "@portico/store-dynamodb";\n' : ""}import { readConfig } from "./config.ts";
import { fetchSecret } from "./secret.ts";
import { createServer } from "./tools.ts";

const MCP_PATH = "/mcp";

const config = readConfig(process.env);
// A JSON line per request and EMF metrics (namespace "Portico", Service: the function's name).
const service = process.env.AWS_LAMBDA_FUNCTION_NAME ?? ${JSON.stringify(options.name)};
const ops = observe({
  service,
  level: parseLevel(process.env.LOG_LEVEL),
  metrics: emfMetrics({ service }),
});
const server = createServer();
server.use(ops); // first: it sees every request
const options: HandlerOptions = {
  // The Function URL's own domain needs no entry: the adapter passes the event's domain on.
  allowedHosts: config.allowedHosts,
  allowedOrigins: config.allowedOrigins,
  onError: ops.onError,
};
options.secret = await fetchSecret(config);
${
  dynamodb
    ? `if (config.tableName !== undefined) {
  options.stores = ops.stores(
    dynamoDbStores({
      tableName: config.tableName,
      region: config.region,
      ...(config.credentials ? { credentials: config.credentials } : {}),
    }),
  );
}
`
    : "// Memory stores: legacy-era sessions are only seen by the instance that started them.\n"
}
const mcp = createHandler(server, options);

const app = {
  // Reads only the URL: the adapter may hand it buffered requests (no undici load on a cold start).
  acceptsBufferedRequests: true,
  // ctx carries the event's routed host, the request id and the deadline to the MCP handler.
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response> {
    if (new URL(request.url).pathname === MCP_PATH) return mcp.fetch(request, env, ctx);
    return Promise.resolve(
      Response.json({ error: \`Not found: the MCP endpoint is \${MCP_PATH}\` }, { status: 404 }),
    );
  },
};

export const handler = handle(app);
export const streamHandler = streamHandle(app);
`;
}

function handlerTest(): string {
  return `/**
 * The handlers of \`src/handler.ts\`, invoked with Function URL events (payload 2.0): \`handler\`
 * directly, \`streamHandler\` through the adapter's local Function URL server (its response stream).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fromResult, type LambdaContextLike, toEvent } from "@portico/adapter-lambda";
import { installAwslambda, type LambdaDevServer, serveLambda } from "@portico/adapter-lambda/dev";
import { stdoutLines, toolCall, toolText } from "./_mcp.ts";

// Lambda's \`awslambda\` global, which streamHandle() needs when the module loads.
installAwslambda();
const { handler, streamHandler } = await import("../src/handler.ts");

const URL_DOMAIN = "abc123.lambda-url.eu-west-1.on.aws";
const context: LambdaContextLike = { awsRequestId: "test", getRemainingTimeInMillis: () => 30_000 };
let functionUrl: LambdaDevServer | undefined;

before(async () => {
  functionUrl = await serveLambda(streamHandler, { port: 0, kind: "v2" });
});

after(async () => {
  await functionUrl?.close();
});

test("handler answers tools/call from a Function URL event", async () => {
  const event = await toEvent(toolCall(\`https://\${URL_DOMAIN}/mcp\`, "add", { a: 2, b: 3 }), "v2");
  const response = fromResult(await handler(event, context));
  assert.equal(await toolText(response), "5");
});

test("handler refuses a Host the event does not route (DNS rebinding)", async () => {
  const request = toolCall(\`https://\${URL_DOMAIN}/mcp\`, "add", { a: 2, b: 3 });
  const event = await toEvent(request, "v2", { domainName: URL_DOMAIN });
  event.headers = { ...event.headers, host: "evil.example.com" };
  const response = fromResult(await handler(event, context));
  assert.equal(response.status, 403);
});

test("streamHandler streams the answer of tools/call", async () => {
  const response = await fetch(toolCall(\`\${functionUrl?.url}/mcp\`, "greet", { name: "Ada" }));
  assert.equal(await toolText(response), "Hello, Ada!");
});

test("a path other than /mcp is a 404", async () => {
  const response = await fetch(\`\${functionUrl?.url}/elsewhere\`);
  assert.equal(response.status, 404);
});

test("handler logs the request as one JSON line, with its awsRequestId, and its EMF metrics", async () => {
  const event = await toEvent(toolCall(\`https://\${URL_DOMAIN}/mcp\`, "add", { a: 1, b: 1 }), "v2");
  const lines = await stdoutLines(() => handler(event, { ...context, awsRequestId: "log-test-1" }));
  const line = lines.find((record) => record.msg === "mcp request" && record.hostRequestId === "log-test-1");
  assert.equal(line?.method, "tools/call");
  assert.equal(line?.target, "add");
  assert.equal(line?.outcome, "ok");
  const metrics = lines.find((record) => "_aws" in record && record.hostRequestId === "log-test-1");
  assert.equal(metrics?.Requests, 1);
  assert.equal(metrics?.Target, "add");
});
`;
}

/** The source and test files both Lambda projects have. */
export function lambdaSources(options: ProjectOptions): ProjectFiles {
  return {
    "src/tools.ts": toolsModule(options),
    "src/config.ts": configModule(options),
    "src/secret.ts": secretModule(),
    "src/handler.ts": handlerModule(options),
    "test/_mcp.ts": mcpTestHelper({ stdoutLines: true }),
    "test/handler.test.ts": handlerTest(),
  };
}

/** The `@portico/*` packages a Lambda project depends on. */
export function lambdaPortico(options: ProjectOptions): string[] {
  return options.stores === "dynamodb"
    ? ["adapter-lambda", "core", "host", "observe", "store-dynamodb"]
    : ["adapter-lambda", "core", "host", "observe"];
}

/** The README sections both Lambda projects share (run locally, test, configuration). */
export function lambdaReadme(options: ProjectOptions, run: (script: string) => string): string {
  const pm = options.packageManager;
  const dynamodb = options.stores === "dynamodb";
  return `## Run it locally

\`\`\`sh
${pm} install
${run("dev")}      # http://127.0.0.1:3000/mcp (PORT=4000 for another port): Function URL events, streaming
\`\`\`

\`${run("dev")}\` is \`portico-lambda-dev\` (from \`@portico/adapter-lambda\`): each HTTP request becomes a
Function URL event for \`streamHandler\`. Locally nothing reaches AWS: without \`SECRET_ARN\`${dynamodb ? " and `TABLE_NAME`" : ""} the
stores are in memory and the requestState secret is random. Connect the MCP Inspector
(\`${dlx(pm, "@modelcontextprotocol/inspector")}\`, "Streamable HTTP", \`http://127.0.0.1:3000/mcp\`).

## Test

\`\`\`sh
${pm} test
\`\`\`

[\`test/handler.test.ts\`](test/handler.test.ts) invokes \`handler\` with Function URL events and
\`streamHandler\` through a local Function URL, and calls the tools.

## How it runs on AWS

- \`dist/handler.mjs\` (\`${run("build")}\`: type-check, then one esbuild bundle) runs on \`nodejs24.x\`, arm64.
- A **Function URL** with \`InvokeMode: RESPONSE_STREAM\` fronts \`streamHandler\`: SSE reaches the client as
  it is written. Its auth type is a parameter: \`AWS_IAM\` (callers sign with SigV4, the default) or
  \`NONE\` (public: add authentication to the app).
- ${dynamodb ? "A **DynamoDB** table (on demand, `pk`/`sk`, TTL on `ttl`) holds legacy-era sessions, event logs and the bus, so any instance serves any session." : "Sessions are in **memory**: a legacy-era session is only known to the instance that started it (the stateless 2026-07-28 era is unaffected). Regenerate with `--stores dynamodb` for shared sessions."}
- A **Secrets Manager** secret, generated at deploy time, seals the 2026-07-28 era's \`requestState\`:
  the function fetches it once per cold start (\`SECRET_ARN\`; [\`src/secret.ts\`](src/secret.ts)).
- \`ALLOWED_HOSTS\` (parameter \`AllowedHosts\`): host names besides the Function URL's own, e.g. a
  custom domain in front of it; any other \`Host\` gets a 403.
- One IAM role: its own log group${dynamodb ? ", the table" : ""} and the secret, nothing else.
- \`LOG_LEVEL\` (add it to the function's environment to change it; default \`info\`): see [Logs](#logs).

${logsReadme("lambda")}`;
}
