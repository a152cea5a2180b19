/**
 * What the guards cost per call, in store operations and backend round trips (issue 19, item 5):
 * the governance guide's three patterns — a rate-limited email tool, an idempotent payments tool, an
 * approved delete — and an unguarded tool, in the 2026-07-28 era (which needs no store of its own, so
 * everything counted is the guards'), driven in process (`handler.fetch`) over real backends: a
 * redis-server of its own (commands sent: each one round trip) and dynalite standing in for
 * DynamoDB (HTTP requests: each one round trip), both on 127.0.0.1. `audit()` is on for every call
 * (its default sink is the log; here a no-op sink): it costs no store operation.
 *
 *   node --conditions=@portico/source src/guard-round-trips.ts
 *
 * writes `results/2026-12-04-guard-round-trips.{json,md}`.
 */
import { writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { addTool, createHandler, McpServer, type Stores } from "@portico/core";
import { audit, IDEMPOTENCY_KEY_META, idempotent, rateLimit, requireApproval } from "@portico/guard";
import { createTable, DynamoDbClient, dynamoDbStores } from "@portico/store-dynamodb";
import { modernPost } from "@portico/test-kit";
import { redisStores } from "../../packages/store-redis/src/index.ts";
import { countingStores } from "./_counting-stores.ts";
import { createClient, startRedis } from "./_redis.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RESULTS = join(ROOT, "bench/results/2026-12-04-guard-round-trips");
const N = 20;

function guardedServer(): McpServer {
  const server = new McpServer({ name: "governed", version: "1.0.0" });
  server.use(audit({ sink: () => {} }));
  addTool(server, "lookup", { annotations: { readOnlyHint: true } }, () => "found");
  addTool(
    server,
    "send_email",
    { annotations: { readOnlyHint: false }, use: [rateLimit({ limit: 10_000, window: "minute" })] },
    () => "sent",
  );
  addTool(
    server,
    "send_sms",
    { annotations: { readOnlyHint: false }, use: [rateLimit({ limit: 1, window: "hour", by: "everyone" })] },
    () => "sent",
  );
  addTool(
    server,
    "create_invoice",
    {
      annotations: { readOnlyHint: false, idempotentHint: true },
      use: [idempotent({ key: (args) => args.invoice as string })],
    },
    (args: Record<string, unknown>) => ({
      content: [{ type: "text", text: `invoice ${args.invoice}` }],
      structuredContent: { invoice: args.invoice as string, total: 42 },
    }),
  );
  addTool(
    server,
    "delete_file",
    { annotations: { destructiveHint: true }, use: [requireApproval()] },
    (args: Record<string, unknown>) => `deleted ${args.path}`,
  );
  return server;
}

let id = 1;
const post = (
  method: string,
  params: Record<string, unknown>,
  clientCapabilities: Record<string, unknown> = {},
) => modernPost("http://127.0.0.1/mcp", method, params, { id: id++, clientCapabilities });

interface Counter {
  /** Backend round trips so far. */
  trips(): number;
}

interface Row {
  pattern: string;
  call: string;
  storeOps: Record<string, number>;
  roundTrips: number;
}

async function measure(backend: string, stores: Stores, counter: Counter): Promise<Row[]> {
  const ops = new Map<string, number>();
  const handler = createHandler(guardedServer(), {
    stores: countingStores(stores, ops),
    secret: "bench-guard-round-trips-secret-32-bytes!",
  });
  const rows: Row[] = [];
  const run = async (
    pattern: string,
    call: string,
    request: (i: number) => Request | Promise<Request>,
    check: (answer: any) => void,
  ) => {
    ops.clear();
    const before = counter.trips();
    for (let i = 0; i < N; i += 1) {
      const response = await handler.fetch(await request(i), {}, { clientAddress: "127.0.0.1" });
      const answer = (await response.json()) as any;
      check(answer);
    }
    const per = (n: number) => Math.round((n / N) * 100) / 100;
    rows.push({
      pattern,
      call,
      storeOps: Object.fromEntries([...ops].map(([name, n]) => [name, per(n)])),
      roundTrips: per(counter.trips() - before),
    });
    console.log(`${backend}: ${pattern} / ${call}: ${JSON.stringify(rows.at(-1))}`);
  };
  const ok = (answer: any) => {
    if (answer.error || answer.result?.isError)
      throw new Error(`unexpected answer: ${JSON.stringify(answer)}`);
  };
  const tag = `${backend}-${Date.now()}`;
  await run(
    "none",
    "a read-only tool, unguarded",
    () => post("tools/call", { name: "lookup", arguments: {} }),
    ok,
  );
  await run(
    "rate-limited email",
    "admitted",
    () => post("tools/call", { name: "send_email", arguments: {} }),
    ok,
  );
  await handler.fetch(post("tools/call", { name: "send_sms", arguments: {} }), {}, {});
  await run(
    "rate-limited email",
    "limited",
    () => post("tools/call", { name: "send_sms", arguments: {} }),
    (answer) => {
      if (answer.result?.isError !== true) throw new Error(`not limited: ${JSON.stringify(answer)}`);
    },
  );
  await run(
    "idempotent payment",
    "first call (runs)",
    (i) => post("tools/call", { name: "create_invoice", arguments: { invoice: `${tag}-${i}` } }),
    ok,
  );
  await run(
    "idempotent payment",
    "duplicate (replayed)",
    (i) => post("tools/call", { name: "create_invoice", arguments: { invoice: `${tag}-${i}` } }),
    (answer) => {
      ok(answer);
      if (answer.result._meta?.["portico/idempotency"]?.replayed !== true) throw new Error("not replayed");
    },
  );
  await run(
    "idempotent payment",
    "client key (_meta), first call",
    (i) =>
      post("tools/call", {
        name: "create_invoice",
        arguments: { invoice: `${tag}-c${i}` },
        _meta: { [IDEMPOTENCY_KEY_META]: `k-${tag}-${i}` },
      }),
    ok,
  );
  const asks: { state: string; key: string }[] = [];
  await run(
    "approved delete",
    "first call (asks: input_required)",
    (i) => post("tools/call", { name: "delete_file", arguments: { path: `/f${i}` } }, { elicitation: {} }),
    (answer) => {
      const key = Object.keys(answer.result?.inputRequests ?? {})[0];
      if (answer.result?.resultType !== "input_required" || key === undefined)
        throw new Error(`did not ask: ${JSON.stringify(answer)}`);
      asks.push({ state: answer.result.requestState, key });
    },
  );
  await run(
    "approved delete",
    "retry with the approval (runs)",
    (i) => {
      const ask = asks[i] as { state: string; key: string };
      return post(
        "tools/call",
        {
          name: "delete_file",
          arguments: { path: `/f${i}` },
          requestState: ask.state,
          inputResponses: { [ask.key]: { action: "accept" } },
        },
        { elicitation: {} },
      );
    },
    ok,
  );
  return rows;
}

// Redis: every command the stores send, counted at the client.
const redis = await startRedis();
const client = await createClient({ url: `redis://127.0.0.1:${redis.port}` })
  .on("error", (e) => console.error("redis:", e))
  .connect();
let redisCommands = 0;
const countedClient = {
  sendCommand: (args: string[]) => {
    redisCommands++;
    return client.sendCommand(args);
  },
  duplicate: () => client.duplicate(),
};
const redisRows = await measure(
  "redis",
  redisStores({ client: countedClient, bus: "poll", busPollMs: 60_000 }),
  { trips: () => redisCommands },
);
client.destroy();
redis.stop();

// DynamoDB (dynalite): every HTTP request the client sends.
// dynalite is CommonJS without types.
const dynalite = createRequire(import.meta.url)("dynalite") as (options: object) => Server;
const server = dynalite({ createTableMs: 0 });
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const connection = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" },
};
// dynalite implements no TTL API (reads never rely on TTL deletion).
await createTable(new DynamoDbClient(connection), { tableName: "guard-bench", timeToLive: false });
let dynamoRequests = 0;
const countingFetch: typeof fetch = (input, init) => {
  dynamoRequests++;
  return fetch(input, init);
};
const dynamo = dynamoDbStores({
  ...connection,
  tableName: "guard-bench",
  fetch: countingFetch,
  busPollMs: 60_000,
});
const dynamoRows = await measure("dynamodb (dynalite)", dynamo, { trips: () => dynamoRequests });
await dynamo.bus.close?.();
server.close();

const results = {
  date: new Date().toISOString(),
  node: process.version,
  callsPerRow: N,
  redis: redisRows,
  dynamodb: dynamoRows,
};
writeFileSync(`${RESULTS}.json`, `${JSON.stringify(results, null, 2)}\n`);
const lines = [
  "# Guards: store round trips per call",
  "",
  `Measured ${results.date} on Node ${results.node} by \`bench/src/guard-round-trips.ts\` (${N} calls per row, 2026-07-28 era, in process; averages per call). Store operations are counted at the \`Stores\` interface; round trips are Redis commands sent and DynamoDB HTTP requests (dynalite on 127.0.0.1). \`audit()\` was on for every call: it adds none.`,
  "",
  "| pattern | call | store operations | Redis round trips | DynamoDB round trips |",
  "|---|---|---|---|---|",
];
for (const [i, row] of redisRows.entries()) {
  const ops =
    Object.entries(row.storeOps)
      .map(([name, n]) => `${name} ${n}`)
      .join(", ") || "none";
  lines.push(`| ${row.pattern} | ${row.call} | ${ops} | ${row.roundTrips} | ${dynamoRows[i]?.roundTrips} |`);
}
lines.push(
  "",
  "DynamoDB: a rate-limit take is one conditional UpdateItem while the bucket is ahead of now, two when it had drained (or is new); a denial is one on DynamoDB, which returns the old item with the failed condition, and three on dynalite, which does not (see the store's README). The renewal of an idempotency lock (every `lockMs / 3` while a call runs, default 10 s) adds one write per renewal to calls that run that long.",
);
writeFileSync(`${RESULTS}.md`, `${lines.join("\n")}\n`);
console.log(lines.join("\n"));
process.exit(0);
