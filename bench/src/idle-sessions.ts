/**
 * Memory per idle legacy session (part of `pnpm bench`, or alone:
 * `node --conditions=@portico/source --expose-gc src/idle-sessions.ts`). A fresh child process per
 * run makes a Portico handler on the default memory stores, opens `IDLE_SESSIONS` legacy sessions
 * (`initialize` + `notifications/initialized`, then nothing), collects garbage and reports how much
 * RSS and heap grew per session — median of runs, each in its own process.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "./report.ts";

const SESSIONS = Number(process.env.IDLE_SESSIONS ?? 10_000);
const RUNS = Number(process.env.IDLE_RUNS ?? (process.env.BENCH_QUICK === "1" ? 1 : 3));

export interface IdleSessionsResult {
  sessions: number;
  runs: number;
  rssBytesPerSession: number;
  heapBytesPerSession: number;
}

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
  const before = process.memoryUsage();
  for (let i = 0; i < SESSIONS; i++) await open();
  gc();
  gc();
  const after = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ rss: (after.rss - before.rss) / SESSIONS, heap: (after.heapUsed - before.heapUsed) / SESSIONS })}\n`,
  );
}

export function idleSessionsBench(): IdleSessionsResult {
  const self = fileURLToPath(import.meta.url);
  const rss: number[] = [];
  const heap: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const out = execFileSync(
      process.execPath,
      ["--conditions=@portico/source", "--expose-gc", self, "--child"],
      { encoding: "utf8", env: { ...process.env, IDLE_SESSIONS: String(SESSIONS) } },
    );
    const figures = JSON.parse(out.trim().split("\n").at(-1) as string) as { rss: number; heap: number };
    rss.push(figures.rss);
    heap.push(figures.heap);
  }
  return {
    sessions: SESSIONS,
    runs: RUNS,
    rssBytesPerSession: median(rss),
    heapBytesPerSession: median(heap),
  };
}

if (process.argv.includes("--child")) {
  await child();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = idleSessionsBench();
  console.log(
    `idle legacy sessions: ${result.sessions} per run, median of ${result.runs}: ` +
      `RSS ${(result.rssBytesPerSession / 1024).toFixed(2)} KiB, heap ${(result.heapBytesPerSession / 1024).toFixed(2)} KiB per session`,
  );
}
