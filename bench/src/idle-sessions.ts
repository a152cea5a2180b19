/**
 * Memory per idle legacy session (part of `pnpm bench`, or alone:
 * `node --conditions=@portico/source --expose-gc src/idle-sessions.ts`). A fresh child process per
 * run makes a Portico handler on the default memory stores, opens `IDLE_SESSIONS` legacy sessions
 * (`initialize` + `notifications/initialized`, then nothing), collects garbage and reports how much
 * RSS and heap grew per session — median of runs, each in its own process.
 *
 * That total includes fixed costs that do not grow with the sessions held: V8 enlarges its young
 * generation (8 → 16 → 32 → 64 MiB here) as the run allocates, and the RSS follows, so the
 * quotient moves with the session count (1.4 KiB at 10,000, 2.0 KiB at 40,000, same heap per
 * session). The marginal figure is what one more session costs: a second child, with the young
 * generation held at 16 MiB (`--min/max-semi-space-size`), opens `4 × IDLE_SESSIONS` sessions and
 * reports the RSS slope between `IDLE_SESSIONS` and `4 × IDLE_SESSIONS`.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "./report.ts";

const SESSIONS = Number(process.env.IDLE_SESSIONS ?? 10_000);
const RUNS = Number(process.env.IDLE_RUNS ?? (process.env.BENCH_QUICK === "1" ? 1 : 3));

export interface IdleSessionsResult {
  sessions: number;
  runs: number;
  /** RSS growth / sessions, after opening `sessions` (fixed costs included, see above). */
  rssBytesPerSession: number;
  heapBytesPerSession: number;
  /** RSS per session between `sessions` and `4 × sessions`, young generation held at 16 MiB. */
  marginalRssBytesPerSession: number;
  marginalHeapBytesPerSession: number;
}

/** Held young generation (semi-space, MiB) for the marginal figure. */
const SEMI_SPACE_MB = 16;

async function child(): Promise<void> {
  const { addTool, createHandler, McpServer } = await import("@portico/core");
  const server = new McpServer({ name: "idle", version: "1.0.0" });
  addTool(server, "add", { description: "Add" }, (args: Record<string, unknown>) =>
    String(Number(args.a) + Number(args.b)),
  );
  const handler = createHandler(server);
  const post = (body: unknown, session?: string) =>
    handler.fetch(
      new Request("http://127.0.0.1/mcp", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...(session === undefined
            ? {}
            : { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" }),
        },
        body: JSON.stringify(body),
      }),
    );
  const open = async () => {
    const init = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } },
    });
    const session = init.headers.get("mcp-session-id");
    await init.arrayBuffer();
    if (session === null) throw new Error(`initialize answered ${init.status}`);
    const done = await post({ jsonrpc: "2.0", method: "notifications/initialized" }, session);
    await done.arrayBuffer();
  };
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");
  // Warm up every path first, so what follows is the sessions and not first-use allocations.
  for (let i = 0; i < 200; i++) await open();
  gc();
  gc();
  const settled = () => {
    gc();
    gc();
    return process.memoryUsage();
  };
  const before = process.memoryUsage();
  for (let i = 0; i < SESSIONS; i++) await open();
  const after = settled();
  const figures: Record<string, number> = {
    rss: (after.rss - before.rss) / SESSIONS,
    heap: (after.heapUsed - before.heapUsed) / SESSIONS,
  };
  if (process.argv.includes("--marginal")) {
    const more = 3 * SESSIONS;
    for (let i = 0; i < more; i++) await open();
    const end = settled();
    figures.marginalRss = (end.rss - after.rss) / more;
    figures.marginalHeap = (end.heapUsed - after.heapUsed) / more;
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

function runChild(nodeFlags: string[], args: string[] = []): Record<string, number> {
  const out = execFileSync(
    process.execPath,
    [
      "--conditions=@portico/source",
      "--expose-gc",
      ...nodeFlags,
      fileURLToPath(import.meta.url),
      "--child",
      ...args,
    ],
    { encoding: "utf8", env: { ...process.env, IDLE_SESSIONS: String(SESSIONS) } },
  );
  return JSON.parse(out.trim().split("\n").at(-1) as string) as Record<string, number>;
}

export function idleSessionsBench(): IdleSessionsResult {
  const figures = {
    rss: [] as number[],
    heap: [] as number[],
    marginalRss: [] as number[],
    marginalHeap: [] as number[],
  };
  for (let run = 0; run < RUNS; run++) {
    const total = runChild([]);
    figures.rss.push(total.rss as number);
    figures.heap.push(total.heap as number);
    const held = [`--min-semi-space-size=${SEMI_SPACE_MB}`, `--max-semi-space-size=${SEMI_SPACE_MB}`];
    const marginal = runChild(held, ["--marginal"]);
    figures.marginalRss.push(marginal.marginalRss as number);
    figures.marginalHeap.push(marginal.marginalHeap as number);
  }
  return {
    sessions: SESSIONS,
    runs: RUNS,
    rssBytesPerSession: median(figures.rss),
    heapBytesPerSession: median(figures.heap),
    marginalRssBytesPerSession: median(figures.marginalRss),
    marginalHeapBytesPerSession: median(figures.marginalHeap),
  };
}

if (process.argv.includes("--child")) {
  await child();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = idleSessionsBench();
  console.log(
    `idle legacy sessions: ${result.sessions} per run, median of ${result.runs}: ` +
      `RSS ${(result.rssBytesPerSession / 1024).toFixed(2)} KiB, heap ${(result.heapBytesPerSession / 1024).toFixed(2)} KiB per session; ` +
      `marginal (to ${4 * result.sessions}, young generation ${SEMI_SPACE_MB} MiB): RSS ${(result.marginalRssBytesPerSession / 1024).toFixed(2)} KiB, ` +
      `heap ${(result.marginalHeapBytesPerSession / 1024).toFixed(2)} KiB per session`,
  );
}
