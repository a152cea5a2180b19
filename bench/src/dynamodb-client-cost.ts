/**
 * Cold-start cost of the DynamoDB client behind @portico/store-dynamodb: its own signed-fetch
 * client against the AWS SDK v3 (`@aws-sdk/client-dynamodb`), each doing one GetItem against a
 * dynalite on 127.0.0.1, each in a fresh Node process.
 *
 *   node --conditions=@portico/source bench/src/dynamodb-client-cost.ts
 *
 * Every run spawns four children in rotating order: a baseline (Node + @portico/core, which a
 * Portico app loads anyway), a bare first `fetch()` (Node's undici warm-up, which the
 * signed-fetch client pays on Node), the signed-fetch client, and the SDK. A child loads core untimed,
 * then times the client's import and its first GetItem. The parent also times each child from
 * spawn to exit. Medians over BENCH_RUNS (default 9, at least 7) runs. The Portico client is
 * imported from its built `dist` (like the SDK's published JS); run the package build first.
 * Then both clients are bundled with esbuild (minified, ESM, platform node, core external) for
 * one GetItem, and the bundle sizes are printed raw and gzipped.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const TABLE = "bench-cost";
const KEY = { pk: { S: "bench" }, sk: { S: "item" } };
const CREDENTIALS = { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" };
const REGION = "us-east-1";
type Kind = "baseline" | "fetch" | "portico" | "sdk";
interface ChildResult {
  importMs: number;
  firstCallMs: number;
  found: boolean;
}

if (process.argv[2] === "--child") await child(process.argv[3] as Kind, process.argv[4]!);
else await main();

/** One fresh process: load core untimed, then time the client's import and first GetItem. */
async function child(kind: Kind, endpoint: string): Promise<void> {
  await import("@portico/core");
  const t0 = performance.now();
  let found = false;
  let t1 = t0;
  if (kind === "portico") {
    const { DynamoDbClient } = await import("@portico/store-dynamodb");
    t1 = performance.now();
    const client = new DynamoDbClient({ endpoint, region: REGION, credentials: CREDENTIALS });
    const answer = await client.send<{ Item?: unknown }>("GetItem", { TableName: TABLE, Key: KEY });
    found = answer.Item !== undefined;
  } else if (kind === "fetch") {
    // Node's first global fetch loads undici: a cost the signed-fetch client pays on Node
    // (Workers and Vercel Edge have fetch built in). One bare unsigned request shows its size.
    const response = await fetch(endpoint, { method: "POST", body: "{}" });
    await response.text();
    found = true;
  } else if (kind === "sdk") {
    const { DynamoDBClient, GetItemCommand } = await import("@aws-sdk/client-dynamodb");
    t1 = performance.now();
    const client = new DynamoDBClient({ endpoint, region: REGION, credentials: CREDENTIALS });
    const answer = await client.send(new GetItemCommand({ TableName: TABLE, Key: KEY }));
    found = answer.Item !== undefined;
    client.destroy();
  }
  const t2 = performance.now();
  process.stdout.write(`${JSON.stringify({ importMs: t1 - t0, firstCallMs: t2 - t1, found })}\n`);
  process.exit(0);
}

async function main(): Promise<void> {
  const runs = Math.max(7, Number(process.env.BENCH_RUNS ?? 9));
  const dist = new URL("../../packages/store-dynamodb/dist/index.js", import.meta.url);
  const coreDist = new URL("../../packages/core/dist/index.js", import.meta.url);
  if (!existsSync(dist) || !existsSync(coreDist)) {
    console.error(
      "build first: sh scripts/pnpm.sh --filter @portico/core --filter @portico/store-dynamodb run build",
    );
    process.exit(1);
  }
  const { createTable, DynamoDbClient } = await import("@portico/store-dynamodb");
  // dynalite is CommonJS without types.
  const dynalite = createRequire(import.meta.url)("dynalite") as (options: object) => Server;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    const client = new DynamoDbClient({ endpoint, region: REGION, credentials: CREDENTIALS });
    await createTable(client, { tableName: TABLE, timeToLive: false });
    await client.send("PutItem", { TableName: TABLE, Item: { ...KEY, payload: { S: "x".repeat(200) } } });

    const kinds: Kind[] = ["baseline", "fetch", "portico", "sdk"];
    const results = new Map<Kind, { child: ChildResult; wallMs: number }[]>(kinds.map((k) => [k, []]));
    for (let run = 0; run < runs; run++) {
      const order = kinds.map((_, i) => kinds[(i + run) % kinds.length]!);
      for (const kind of order) results.get(kind)!.push(await spawnChild(kind, endpoint));
    }
    report(results, runs);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await reportBundleSizes();
}

function spawnChild(kind: Kind, endpoint: string): Promise<{ child: ChildResult; wallMs: number }> {
  const script = fileURLToPath(import.meta.url);
  const started = performance.now();
  // No --conditions: the Portico client resolves to its built dist, like any installed package.
  const proc = spawn(process.execPath, [script, "--child", kind, endpoint], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  proc.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${kind}: no answer within 30 s`));
    }, 30_000);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      try {
        if (code !== 0) throw new Error(`${kind}: exited with ${String(code)}`);
        const child = JSON.parse(out.trim()) as ChildResult;
        if (kind !== "baseline" && !child.found) throw new Error(`${kind}: GetItem found no item`);
        resolve({ child, wallMs });
      } catch (error) {
        reject(error);
      }
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function report(results: Map<Kind, { child: ChildResult; wallMs: number }[]>, runs: number): void {
  const row = (kind: Kind) => {
    const list = results.get(kind)!;
    return {
      importMs: median(list.map((r) => r.child.importMs)),
      firstCallMs: median(list.map((r) => r.child.firstCallMs)),
      totalMs: median(list.map((r) => r.child.importMs + r.child.firstCallMs)),
      wallMs: median(list.map((r) => r.wallMs)),
    };
  };
  const base = row("baseline");
  const bare = row("fetch");
  const portico = row("portico");
  const sdk = row("sdk");
  const f = (n: number) => n.toFixed(1).padStart(9);
  console.log(
    `\nDynamoDB client cold cost, fresh node ${process.version} process, median of ${runs} interleaved runs`,
  );
  console.log(`(one GetItem against dynalite on 127.0.0.1; core loaded before timing)\n`);
  console.log(
    "| client                         |  import ms | 1st call ms | import+call ms | process wall ms | wall − baseline ms |",
  );
  console.log(
    "|--------------------------------|-----------:|------------:|---------------:|----------------:|-------------------:|",
  );
  console.log(
    `| baseline (node + core only)    | ${f(0)}  | ${f(0)}   | ${f(0)}      | ${f(base.wallMs)}       | ${f(0)}          |`,
  );
  for (const [name, r] of [
    ["first bare fetch() (no client)", bare],
    ["@portico/store-dynamodb client", portico],
    ["@aws-sdk/client-dynamodb", sdk],
  ] as const) {
    console.log(
      `| ${name.padEnd(30)} | ${f(r.importMs)}  | ${f(r.firstCallMs)}   | ${f(r.totalMs)}      | ${f(r.wallMs)}       | ${f(r.wallMs - base.wallMs)}          |`,
    );
  }
  console.log(
    `\nratio SDK / signed-fetch: import+call ${(sdk.totalMs / portico.totalMs).toFixed(1)}x, ` +
      `added process wall time ${((sdk.wallMs - base.wallMs) / Math.max(0.1, portico.wallMs - base.wallMs)).toFixed(1)}x`,
  );
}

async function reportBundleSizes(): Promise<void> {
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch {
    console.log("\n(esbuild not available: bundle sizes skipped)");
    return;
  }
  const entries = {
    "@portico/store-dynamodb client": `import { DynamoDbClient } from "@portico/store-dynamodb";
      export const get = (key) => new DynamoDbClient().send("GetItem", { TableName: "t", Key: key });`,
    "@aws-sdk/client-dynamodb": `import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
      export const get = (key) => new DynamoDBClient({}).send(new GetItemCommand({ TableName: "t", Key: key }));`,
  };
  console.log("\nesbuild bundle for one GetItem (minified ESM, platform node, @portico/core external):\n");
  console.log("| client                         |   minified |    gzipped |");
  console.log("|--------------------------------|-----------:|-----------:|");
  for (const [name, contents] of Object.entries(entries)) {
    const result = await esbuild.build({
      stdin: { contents, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "js" },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "node",
      target: "node20",
      external: ["@portico/core"],
      write: false,
      logLevel: "silent",
    });
    const bytes = result.outputFiles[0]!.contents;
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
    console.log(`| ${name.padEnd(30)} | ${kb(bytes.length)} | ${kb(gzipSync(bytes).length)} |`);
  }
}
