/// <reference path="../../packages/store-dynamodb/test/dynalite.d.ts" />
/**
 * Legacy-era Lambda cold starts on the DynamoDB stores (part of (c) in `pnpm bench`): a fresh node,
 * started as the Lambda runtime starts it (`--expose-gc`), imports the bundle of
 * `lambda/portico-dynamodb.ts` and answers a 2025-era `tools/call` in an existing session — a session
 * read, as on any instance that did not open it — against dynalite on 127.0.0.1. Twice per run: with
 * the stores' default client (`lightFetch`: node:https) and with Node's global `fetch` (undici).
 */
import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTable, DynamoDbClient } from "@portico/store-dynamodb";
import dynalite from "dynalite";
import { bundle, type Target } from "./cold-start.ts";
import { median } from "./report.ts";

const run = promisify(execFile);
const TABLE = "portico-bench";
const HOST = "abc123.execute-api.us-east-1.amazonaws.com";
const CREDENTIALS = { accessKeyId: "AKIDLOCALBENCH", secretAccessKey: "local-bench-secret" };

export interface DynamoDbColdStart {
  /** Medians (ms): the default client, and the global fetch. */
  lightMs: number;
  fetchMs: number;
  lightRuns: number[];
  fetchRuns: number[];
}

function event(headers: Record<string, string>, body: unknown): string {
  return JSON.stringify({
    version: "2.0",
    rawPath: "/mcp",
    rawQueryString: "",
    headers: {
      host: HOST,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    requestContext: { domainName: HOST, http: { method: "POST", path: "/mcp", sourceIp: "127.0.0.1" } },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  });
}

/** Opens a session in a process of its own, as another instance would have; its id. */
async function openSession(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  const initialize = event(
    {},
    {
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "bench", version: "0" },
      },
    },
  );
  const script = `const m = await import(${JSON.stringify(file)});
const ctx = { awsRequestId: "open", getRemainingTimeInMillis: () => 30000 };
const r = await m.handler(JSON.parse(process.argv[1]), ctx);
const id = r.headers["mcp-session-id"];
const n = JSON.parse(process.argv[2]);
n.headers["mcp-session-id"] = id;
await m.handler(n, ctx);
process.stdout.write(id);`;
  const initialized = event(
    { "mcp-protocol-version": "2025-11-25" },
    { jsonrpc: "2.0", method: "notifications/initialized" },
  );
  const { stdout } = await run(
    process.execPath,
    ["--input-type=module", "-e", script, initialize, initialized],
    { env },
  );
  if (stdout === "") throw new Error("no session was opened on dynalite");
  return stdout;
}

export async function dynamoDbColdStart(dir: string, runs: number): Promise<DynamoDbColdStart> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await createTable(new DynamoDbClient({ endpoint, region: "us-east-1", credentials: CREDENTIALS }), {
      tableName: TABLE,
      timeToLive: false,
    });
    const env = {
      ...process.env,
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: TABLE,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      PORTICO_SECRET: "bench-secret-0123456789abcdef0123456789",
    };
    const b = await bundle("portico-dynamodb" as Target, join(dir, "dynamodb"));
    const session = await openSession(b.file, env);
    const call = event(
      { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" },
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: { a: 2, b: 3 } } },
    );
    const invoke = fileURLToPath(new URL("./lambda/_invoke.mjs", import.meta.url));
    const once = async (extra: Record<string, string>): Promise<number> => {
      const { stdout } = await run(process.execPath, ["--expose-gc", invoke, b.file, call], {
        env: { ...env, ...extra },
      });
      const line = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
        ms: number;
        ok: boolean;
        status: number;
      };
      if (!line.ok)
        throw new Error(`legacy tools/call on DynamoDB: status ${line.status}, not add(2, 3) = 5`);
      return line.ms;
    };
    const lightRuns: number[] = [];
    const fetchRuns: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Every other run in reverse order.
      if (i % 2 === 0) {
        lightRuns.push(await once({}));
        fetchRuns.push(await once({ BENCH_DYNAMODB_FETCH: "global" }));
      } else {
        fetchRuns.push(await once({ BENCH_DYNAMODB_FETCH: "global" }));
        lightRuns.push(await once({}));
      }
    }
    return { lightMs: median(lightRuns), fetchMs: median(fetchRuns), lightRuns, fetchRuns };
  } finally {
    server.close();
  }
}
