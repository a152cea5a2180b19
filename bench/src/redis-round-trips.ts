import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { addTool, createHandler, McpServer } from "@portico/core";
import * as v from "valibot";
import { redisStores } from "../../packages/store-redis/src/index.ts";
import { countingStores as counting } from "./_counting-stores.ts";
import { createClient, type NodeRedis, startRedis } from "./_redis.ts";
import { prepareCall, verify } from "./requests.ts";

const label = process.argv[2] ?? "after";
if (label !== "before" && label !== "after") throw new Error(`label must be before or after, got ${label}`);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RESULTS = join(ROOT, "bench/results/redis-round-trips-2026-12-03");
const N = 200;
const STREAMED = 20;

/** RESP request bytes of `args`, as every client encodes them. */
function respBytes(args: string[]): number {
  let n = `*${args.length}\r\n`.length;
  for (const arg of args) n += `$${Buffer.byteLength(arg)}\r\n`.length + Buffer.byteLength(arg) + 2;
  return n;
}

/** `INFO` over a connection of its own (node-redis 6 speaks RESP3: the reply is a verbatim string). */
const INFO = ["INFO", "stats", "commandstats", "server"];
async function snapshot(conn: NodeRedis) {
  const text = String(await conn.sendCommand(INFO));
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(text)?.[1]?.trim() ?? "";
  const commands = new Map<string, number>();
  for (const [, name, calls] of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    commands.set(name as string, Number(calls));
  }
  return {
    commands,
    input: Number(field("total_net_input_bytes")),
    output: Number(field("total_net_output_bytes")),
    replyBytes: respBytes([`txt:${text}`]) - "*1\r\n".length, // `=<n>\r\ntxt:<text>\r\n`
    version: field("redis_version"),
  };
}

const server = new McpServer({ name: "bench", version: "1.0.0" });
const input = v.object({ a: v.number(), b: v.number() });
addTool(server, "add", { description: "Add two numbers", input }, ({ a, b }) => String(a + b));
addTool(server, "add-progress", { description: "Add, reporting progress", input }, async ({ a, b }, ctx) => {
  await ctx.progress(1, 2);
  return String(a + b);
});

const redis = await startRedis();
const open = () =>
  createClient({ url: `redis://127.0.0.1:${redis.port}` })
    .on("error", (error) => console.error("redis:", error))
    .connect();
const infoConnection = await open();
const client = await open();
const sent = { names: new Map<string, number>(), inFlight: 0, maxInFlight: 0 };
const counted = {
  sendCommand: async (args: string[]) => {
    const name = String(args[0]).toLowerCase();
    sent.names.set(name, (sent.names.get(name) ?? 0) + 1);
    sent.maxInFlight = Math.max(sent.maxInFlight, ++sent.inFlight);
    try {
      return await client.sendCommand(args);
    } finally {
      sent.inFlight--;
    }
  },
  duplicate: () => client.duplicate(),
};
const stores = redisStores({ client: counted });
const storeCounts = new Map<string, number>();
const handler = createHandler(server, { stores: counting(stores, storeCounts) });
const send = (headers: Record<string, string>, body: string) =>
  handler.fetch(new Request("http://127.0.0.1/mcp", { method: "POST", headers, body }));
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

interface Phase {
  name: string;
  requests: number;
  storeOps: Record<string, number>;
  commands: Record<string, number>; // sent, by name: one request and reply each
  executed: Record<string, number>; // by Redis, inside scripts too (`INFO commandstats`)
  roundTrips: number;
  maxInFlight: number;
  bytesToRedis: number;
  bytesFromRedis: number;
}
type Section = { measuredAt: string; node: string; redis: string; phases: Phase[] };
/** `notes` (hand-written remarks on the figures) are kept from run to run. */
type Results = { date: string; sections: Record<string, Section>; notes?: string[] };
const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

/** Commands of the pub/sub connection (its handshake, (un)subscribes), which bypass `sendCommand`. */
const PUBSUB = ["hello", "client", "subscribe", "unsubscribe"];
let version = "";
async function measure(name: string, requests: number, run: () => Promise<void>): Promise<Phase> {
  await settle();
  const before = await snapshot(infoConnection);
  storeCounts.clear();
  sent.names.clear();
  sent.maxInFlight = 0;
  await run();
  await settle(); // background work (waitUntil'd publishes) belongs to the phase
  const after = await snapshot(infoConnection);
  version = after.version;
  const executed: Record<string, number> = {};
  for (const [command, calls] of [...after.commands].sort()) {
    const delta = calls - (before.commands.get(command) ?? 0) - (command === "info" ? 1 : 0);
    if (delta > 0) executed[command] = delta;
  }
  const pubsub = PUBSUB.filter((c) => executed[c]).map((c) => [c, executed[c] as number]);
  const commands = Object.fromEntries([...[...sent.names].sort(), ...pubsub]);
  return {
    name,
    requests,
    storeOps: Object.fromEntries([...storeCounts].sort()),
    commands,
    executed,
    roundTrips: sum(commands),
    maxInFlight: sent.maxInFlight,
    // INFO counts a command's input before it runs and its reply after: the later INFO's request
    // is in the input delta, the earlier INFO's reply in the output delta.
    bytesToRedis: after.input - before.input - respBytes(INFO),
    bytesFromRedis: after.output - before.output - before.replyBytes,
  };
}

const COLUMNS = "commands sent = round trips | executed by Redis | bytes to Redis | bytes from Redis";
function render(results: Results): string {
  const lines = [
    `# Redis round trips per request — ${results.date}`,
    "",
    "`bench/src/redis-round-trips.ts` (`node --conditions=@portico/source src/redis-round-trips.ts before|after`): Portico (`add` tool) with `redisStores({ client })` on node-redis 6.3.1, driven in process (`handler.fetch`), against its own redis-server on 127.0.0.1. All figures are per request.",
    "",
    "**store ops**: calls at the `Stores` interface (a counting proxy around sessions, events, bus). **commands sent = round trips**: what the stores sent through the client's `sendCommand` (a counting wrapper), plus the pub/sub connection's commands (`INFO commandstats`); one request and reply each, one at a time unless \"in flight\" says otherwise. **executed by Redis**: the `INFO commandstats` delta, so the commands scripts run count too (the measuring `INFO` excluded). **bytes**: the `INFO stats` delta of `total_net_input_bytes` (to Redis) and `total_net_output_bytes` (from Redis), minus the measuring `INFO`'s own request and reply.",
  ];
  for (const [label, section] of ["before", "after"].map((l) => [l, results.sections[l]] as const)) {
    if (!section) continue;
    const heading = `## ${label.toUpperCase()}\n\n${section.measuredAt}, Node ${section.node}, Redis ${section.redis}.`;
    lines.push(
      "",
      heading,
      "",
      `| phase | requests | store ops | ${COLUMNS} |`,
      "| --- | ---: | --- | --- | --- | ---: | ---: |",
    );
    for (const p of section.phases) {
      const per = (n: number) => Number((n / p.requests).toFixed(2));
      const cell = (record: Record<string, number>, extra = "") => {
        const names = Object.entries(record).map(([name, n]) => `${name} ${per(n)}`);
        return `**${per(sum(record))}**${names.length ? ` (${names.join(", ")}${extra})` : ""}`;
      };
      const inFlight = p.maxInFlight > 1 ? `; up to ${p.maxInFlight} in flight` : "";
      const cells = [cell(p.storeOps), cell(p.commands, inFlight), cell(p.executed)];
      lines.push(
        `| ${p.name} | ${p.requests} | ${cells.join(" | ")} | ${per(p.bytesToRedis)} | ${per(p.bytesFromRedis)} |`,
      );
    }
  }
  const { before, after } = results.sections;
  if (before && after) {
    lines.push("", "## AFTER / BEFORE (per request)", "");
    lines.push("| phase | store ops | round trips | executed by Redis | bytes to Redis | bytes from Redis |");
    lines.push("| --- | ---: | ---: | ---: | ---: | ---: |");
    const measures: ((p: Phase) => number)[] = [(p) => sum(p.storeOps), (p) => p.roundTrips];
    measures.push(
      (p) => sum(p.executed),
      (p) => p.bytesToRedis,
      (p) => p.bytesFromRedis,
    );
    for (const a of after.phases) {
      const b = before.phases.find((p) => p.name === a.name);
      if (!b) continue;
      const ratios = measures.map((f) => {
        const [x, y] = [f(a) / a.requests, f(b) / b.requests];
        return y === 0 ? (x === 0 ? "0 → 0" : "∞") : (x / y).toFixed(3);
      });
      lines.push(`| ${a.name} | ${ratios.join(" | ")} |`);
    }
  }
  if (results.notes?.length) lines.push("", "## Notes", "", ...results.notes);
  return `${lines.join("\n")}\n`;
}

/** `count` calls of `body`, each checked to answer the sum (and to stream, when `sse`). */
async function calls(count: number, headers: Record<string, string>, body: string, sse = false) {
  for (let i = 0; i < count; i++) {
    const response = await send(headers, body);
    if (sse && !response.headers.get("content-type")?.includes("text/event-stream")) {
      throw new Error(`a streamed call answered ${response.headers.get("content-type")}`);
    }
    await verify(response, body);
  }
}

const phases: Phase[] = [];
try {
  const idle = await measure("nothing: checks the INFO correction", 1, async () => {});
  if (idle.bytesToRedis || idle.bytesFromRedis || idle.roundTrips) throw new Error(JSON.stringify(idle));
  const modern = await prepareCall("modern", send);
  await calls(1, modern.headers, modern.body);
  phases.push(await measure("modern tools/call", N, () => calls(N, modern.headers, modern.body)));
  let legacy = modern;
  const setup = "legacy initialize + notifications/initialized";
  phases.push(
    await measure(setup, 2, async () => {
      legacy = await prepareCall("legacy", send);
    }),
  );
  phases.push(await measure("legacy tools/call (JSON)", N, () => calls(N, legacy.headers, legacy.body)));
  const params = { name: "add-progress", arguments: { a: 2, b: 3 }, _meta: { progressToken: "p" } };
  const streamed = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params });
  const sse = "legacy tools/call (SSE, one progress event)";
  phases.push(await measure(sse, STREAMED, () => calls(STREAMED, legacy.headers, streamed, true)));
  // Added after the BEFORE run, and last, so the phases above are unchanged: scripts now cached.
  phases.push(await measure(`${setup}, 2nd session`, 2, () => prepareCall("legacy", send).then(() => {})));
} finally {
  await stores.close();
  client.destroy();
  infoConnection.destroy();
  redis.stop();
}

const results: Results = existsSync(`${RESULTS}.json`)
  ? (JSON.parse(readFileSync(`${RESULTS}.json`, "utf8")) as Results)
  : { date: "2026-12-03", sections: {} };
const section = { measuredAt: new Date().toISOString(), node: process.version, redis: version, phases };
results.sections[label] = section;
const markdown = render(results);
writeFileSync(`${RESULTS}.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${RESULTS}.md`, markdown);
console.log(markdown);
