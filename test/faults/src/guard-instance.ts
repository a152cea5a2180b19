/**
 * One instance of the guard scenario (`test/guard.test.ts`): a Portico server on adapter-node over
 * the chosen store (see `connect-store.ts`), run as its own process, printing `{"url"}` first.
 *
 * - `send {to}` is rate limited server-wide: GUARD_LIMIT calls per hour per caller (default 20).
 * - `charge {invoice, amount}` is idempotent, keyed by `invoice`: each run adds one to a counter
 *   kept in the session store under the invoice (compare-and-set), waits GUARD_RUN_MS (default 300),
 *   and answers `{invoice, instance, run}` (`run`: a random id of this execution).
 * - `GET /__guard/runs?invoice=` answers `{runs}`: how many times `charge` ran for it (any instance).
 */
import { type FetchApp, serve } from "@portico/adapter-node";
import { addTool, createHandler, jsonSchema, McpServer, memoryStores, type StoreKey } from "@portico/core";
import { idempotent, rateLimit } from "@portico/guard";
import { connectStores } from "./connect-store.ts";

const env = process.env;
const NAME = env.FAULTS_NAME ?? `guard-${process.pid}`;
const LIMIT = Number(env.GUARD_LIMIT ?? 20);
const RUN_MS = Number(env.GUARD_RUN_MS ?? 300);

const report = (error: unknown, where: string) =>
  process.stderr.write(`[${NAME}] ${where}: ${String(error)}\n`);
const connected = await connectStores(env, report);
const stores = connected.stores ?? memoryStores();
const counterKey = (invoice: string): StoreKey => ({ kind: "guard-runs", id: invoice });

/** Adds one to the invoice's run counter (compare-and-set until it holds). */
async function countRun(invoice: string): Promise<void> {
  for (;;) {
    const record = await stores.sessions.get(counterKey(invoice));
    if (record === undefined) {
      if (await stores.sessions.create(counterKey(invoice), 1, 3_600_000)) return;
    } else if (
      await stores.sessions.update(
        counterKey(invoice),
        record.version,
        (record.value as number) + 1,
        3_600_000,
      )
    ) {
      return;
    }
  }
}

const server = new McpServer({ name: "guard-instance", version: "1.0.0" });
server.use(rateLimit({ limit: LIMIT, window: "hour", tools: ["send"] }));
addTool(
  server,
  "send",
  {
    input: jsonSchema<{ to: string }>({
      type: "object",
      properties: { to: { type: "string" } },
      required: ["to"],
    }),
  },
  ({ to }) => ({
    content: [{ type: "text", text: `sent to ${to}` }],
    structuredContent: { to, instance: NAME },
  }),
);
addTool(
  server,
  "charge",
  {
    input: jsonSchema<{ invoice: string; amount: number }>({
      type: "object",
      properties: { invoice: { type: "string" }, amount: { type: "number" } },
      required: ["invoice", "amount"],
    }),
    annotations: { readOnlyHint: false, idempotentHint: true },
    use: [idempotent({ key: (args) => args.invoice as string })],
  },
  async ({ invoice }) => {
    await countRun(invoice);
    await new Promise((resolve) => setTimeout(resolve, RUN_MS));
    const run = crypto.randomUUID();
    return { content: [{ type: "text", text: run }], structuredContent: { invoice, instance: NAME, run } };
  },
);

const mcp = createHandler(server, {
  stores,
  secret: "portico-guard-scenario-shared-secret-32+bytes",
  onError: report,
});
const app: FetchApp = {
  async fetch(request, appEnv, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__guard/runs") {
      const record = await stores.sessions.get(counterKey(url.searchParams.get("invoice") ?? ""));
      return Response.json({ runs: record?.value ?? 0 });
    }
    return mcp.fetch(request, appEnv, ctx);
  },
};
const http = await serve(app, { port: 0, hostname: "127.0.0.1", handleSignals: true });
process.stdout.write(`${JSON.stringify({ url: `${http.url}/mcp`, pid: process.pid })}\n`);
process.once("SIGTERM", () => {
  void http
    .close()
    .then(() => connected.close())
    .then(() => process.exit(0));
});
