/**
 * One instance of the fault suite and the soak: a small Portico server on `@portico/adapter-node`'s
 * `serve()` over the chosen store, run as its own process by `instances.ts`. Every instance of a
 * run gets the same `secret` and store, as the instances of one deployment do.
 *
 * Tools:
 * - `echo {text}`: answers at once (structuredContent `{text, instance}`).
 * - `long {ms, stepMs?}`: reports progress every `stepMs` (default 250) for `ms`, then answers
 *   `{steps, instance}`; stops with an error when its signal fires.
 * - `note {token, keep?}`: adds `token` to a list kept in the session store under the caller's
 *   session (compare-and-set), so a test can later check that every acknowledged token is still
 *   there; `keep` keeps only the last few (the soak).
 * - `notes`: that list.
 * - `levels`: logs one message at every level; the levels that arrive tell the session's
 *   `logging/setLevel` (a write the core itself makes to the session record).
 * - `task_steps {key, steps?, stepMs?}` (`taskSupport: "required"`, see `test/tasks.test.ts`):
 *   counts from `ctx.checkpoint` (or 0) to `steps` (default 20) in steps of `stepMs` (default 150),
 *   stopping when its signal fires. When it starts, and after each step, it appends `{kind: "start" |
 *   "step", step, instance, pid, run, started, ended}` to a ledger under `key` in the session store
 *   (compare-and-set, whatever lease the run holds: every run that started and every step it
 *   executed), then (after a step) saves the checkpoint `{n, log, runs}` — `log`
 *   holds `<instance>:<step>` per step, `runs` `{instance, pid, run, from}` per run that saved.
 *   It answers `{log, runs}` (text: the same as JSON).
 *
 * Tasks: `enableTasks(server, { leaseMs: FAULTS_TASK_LEASE_MS (default 1500), pollIntervalMs: 200 })`.
 * With FAULTS_TASK_DISPATCH_DELAY_MS, a task's run starts that long after its dispatch (through
 * `enableTasks({ dispatch })` and `runTask`), so a test can kill an instance between a task's creation
 * and its run.
 *
 * Environment: FAULTS_STORE (redis | dynamodb | memory), FAULTS_REDIS_URL, FAULTS_DYNAMO_ENDPOINT,
 * FAULTS_TABLE, FAULTS_NAME, FAULTS_PORT (0: a free one), FAULTS_SECRET, FAULTS_STORE_TIMEOUT_MS,
 * FAULTS_GRACEFUL_MS, FAULTS_LEASE_MS, FAULTS_DYNAMO_RETRY_MS, FAULTS_TASK_LEASE_MS,
 * FAULTS_TASK_DISPATCH_DELAY_MS. Prints `{"url","pid"}` on its first stdout line, then one
 * JSON line per shutdown step. `GET /__faults/stats` answers memory and error counts;
 * `GET /__faults/task?id=` a task's stored record (status, lease, runs, checkpoint: read from the
 * session store, outside the protocol) and `GET /__faults/ledger?key=` the ledger of `task_steps`
 * (404 when absent; on the memory store only the ledger). SIGTERM closes gracefully through
 * `serve({ handleSignals: true })`, then the stores, then exits.
 */
import { type FetchApp, serve } from "@portico/adapter-node";
import {
  addTool,
  createHandler,
  enableTasks,
  type HandlerOptions,
  jsonSchema,
  LOG_LEVELS,
  McpServer,
  type Stores,
  StoreUnavailableError,
  ToolError,
} from "@portico/core";
import { connectStores } from "./connect-store.ts";
import type { StepEntry } from "./task-ledger.ts";

const env = process.env;
const NAME = env.FAULTS_NAME ?? `instance-${process.pid}`;
const STORE = env.FAULTS_STORE ?? "memory";
const STORE_TIMEOUT_MS = Number(env.FAULTS_STORE_TIMEOUT_MS ?? 1000);
const GRACEFUL_MS = Number(env.FAULTS_GRACEFUL_MS ?? 3000);
const SECRET = env.FAULTS_SECRET ?? "portico-fault-suite-shared-secret-32+bytes";
const TASK_LEASE_MS = Number(env.FAULTS_TASK_LEASE_MS ?? 1500);
const TASK_DISPATCH_DELAY_MS =
  env.FAULTS_TASK_DISPATCH_DELAY_MS === undefined ? undefined : Number(env.FAULTS_TASK_DISPATCH_DELAY_MS);

const errors = new Map<string, number>();
const lastErrors: string[] = [];
function report(error: unknown, where: string): void {
  errors.set(where, (errors.get(where) ?? 0) + 1);
  const text = `${where}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  lastErrors.push(text);
  if (lastErrors.length > 20) lastErrors.shift();
}

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...event, at: Date.now() })}\n`);
}

// ---- the store --------------------------------------------------------------------------------

const connected = await connectStores(env, report);
const stores: Stores | undefined = connected.stores;
const closeStores = connected.close;

/** The instance's own store calls (the `note` tool) get the same deadline the core gives its own. */
function bounded<T>(work: Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StoreUnavailableError(`note store call: no answer within ${STORE_TIMEOUT_MS} ms`)),
      STORE_TIMEOUT_MS,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

const memoryNotes = new Map<string, string[]>();

/**
 * Adds `token` to the session's list (compare-and-set), keeping the last `keep` tokens (all by
 * default; the soak keeps a few so records stay small); resolves the list's length.
 */
async function addNote(sessionId: string, token: string, keep = Number.POSITIVE_INFINITY): Promise<number> {
  const trim = (tokens: string[]) => (tokens.length > keep ? tokens.slice(tokens.length - keep) : tokens);
  if (stores === undefined) {
    const list = memoryNotes.get(sessionId) ?? [];
    if (!list.includes(token)) list.push(token);
    memoryNotes.set(sessionId, trim(list));
    return Math.min(list.length, keep);
  }
  const key = { kind: "faults-notes", session: sessionId, id: "tokens" };
  for (let attempt = 0; attempt < 20; attempt++) {
    const record = await bounded(stores.sessions.get(key));
    if (record === undefined) {
      if (await bounded(stores.sessions.create(key, { tokens: [token] }, 3_600_000))) return 1;
      continue;
    }
    const tokens = (record.value as { tokens: string[] }).tokens;
    if (tokens.includes(token)) return tokens.length;
    const next = { tokens: trim([...tokens, token]) };
    if (await bounded(stores.sessions.update(key, record.version, next, 3_600_000)))
      return next.tokens.length;
  }
  throw new Error("note kept conflicting");
}

async function readNotes(sessionId: string): Promise<string[]> {
  if (stores === undefined) return memoryNotes.get(sessionId) ?? [];
  const record = await bounded(
    stores.sessions.get({ kind: "faults-notes", session: sessionId, id: "tokens" }),
  );
  return record === undefined ? [] : (record.value as { tokens: string[] }).tokens;
}

const memoryLedgers = new Map<string, StepEntry[]>();
const ledgerKey = (key: string) => ({ kind: "faults-task-ledger", id: key });

/** Appends `entry` to the ledger under `key` (compare-and-set; the run's lease plays no part). */
async function appendStep(key: string, entry: StepEntry): Promise<void> {
  if (stores === undefined) {
    memoryLedgers.set(key, [...(memoryLedgers.get(key) ?? []), entry]);
    return;
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const record = await bounded(stores.sessions.get(ledgerKey(key)));
    if (record === undefined) {
      if (await bounded(stores.sessions.create(ledgerKey(key), { steps: [entry] } as never, 3_600_000)))
        return;
      continue;
    }
    const steps = (record.value as unknown as { steps: StepEntry[] }).steps;
    const next = { steps: [...steps, entry] };
    if (await bounded(stores.sessions.update(ledgerKey(key), record.version, next as never, 3_600_000)))
      return;
  }
  throw new Error("task ledger kept conflicting");
}

/** Resolves after `ms`, or rejects with the signal's reason when it fires first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

// ---- the server -------------------------------------------------------------------------------

const server = new McpServer({ name: "portico-faults", version: "0.0.0" });

addTool(
  server,
  "echo",
  {
    description: "Answers with its text at once.",
    input: jsonSchema<{ text: string }>({
      type: "object",
      properties: { text: { type: "string" } },
      required: ["text"],
    }),
  },
  ({ text }) => ({ content: [{ type: "text", text }], structuredContent: { text, instance: NAME } }),
);

addTool(
  server,
  "long",
  {
    description: "Reports progress every stepMs for ms milliseconds, then answers.",
    input: jsonSchema<{ ms: number; stepMs?: number }>({
      type: "object",
      properties: { ms: { type: "integer", minimum: 0 }, stepMs: { type: "integer", minimum: 10 } },
      required: ["ms"],
    }),
  },
  async ({ ms, stepMs = 250 }, ctx) => {
    const total = Math.max(1, Math.ceil(ms / stepMs));
    for (let step = 1; step <= total; step++) {
      if (ctx.signal.aborted) throw new Error("long: stopped by its signal");
      await ctx.progress(step, total, `step ${step} on ${NAME}`);
      await new Promise((resolve) => setTimeout(resolve, stepMs));
    }
    return {
      content: [{ type: "text", text: `done after ${total} steps` }],
      structuredContent: { steps: total, instance: NAME },
    };
  },
);

addTool(
  server,
  "note",
  {
    description: "Adds a token to the session's list in the session store.",
    input: jsonSchema<{ token: string; keep?: number }>({
      type: "object",
      properties: { token: { type: "string" }, keep: { type: "integer", minimum: 1 } },
      required: ["token"],
    }),
  },
  async ({ token, keep }, ctx) => {
    if (ctx.sessionId === undefined) throw new ToolError("note needs a legacy session");
    let count: number;
    try {
      count = await addNote(ctx.sessionId, token, keep);
    } catch (error) {
      throw new ToolError(`not recorded: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { content: [{ type: "text", text: `noted ${token}` }], structuredContent: { token, count } };
  },
);

addTool(server, "notes", { description: "The session's tokens." }, async (_args, ctx) => {
  if (ctx.sessionId === undefined) throw new ToolError("notes needs a legacy session");
  const tokens = await readNotes(ctx.sessionId).catch((error: unknown) => {
    throw new ToolError(`not readable: ${error instanceof Error ? error.message : String(error)}`);
  });
  return { content: [{ type: "text", text: tokens.join(" ") }], structuredContent: { tokens } };
});

addTool(server, "levels", { description: "Logs once at every level." }, async (_args, ctx) => {
  for (const level of LOG_LEVELS) await ctx.log(level, level, "faults");
  return "logged";
});

/** What `task_steps` saves with `ctx.saveCheckpoint` after each step. */
interface StepsCheckpoint {
  n: number;
  log: string[];
  runs: { instance: string; pid: number; run: string; from: number }[];
}

enableTasks(server, {
  leaseMs: TASK_LEASE_MS,
  pollIntervalMs: 200,
  ...(TASK_DISPATCH_DELAY_MS === undefined
    ? {}
    : {
        // Runs here too, but only after the delay: the task is created and announced at once.
        dispatch: async (job, host) => {
          const run = new Promise((resolve) => setTimeout(resolve, TASK_DISPATCH_DELAY_MS)).then(() =>
            mcp.runTask(job, undefined, host),
          );
          host.waitUntil?.(run.catch((error: unknown) => report(error, "delayed task run")));
        },
      }),
});

addTool(
  server,
  "task_steps",
  {
    description: "A task counting steps from its checkpoint, saving it after each step.",
    taskSupport: "required",
    input: jsonSchema<{ key: string; steps?: number; stepMs?: number }>({
      type: "object",
      properties: {
        key: { type: "string" },
        steps: { type: "integer", minimum: 1 },
        stepMs: { type: "integer", minimum: 1 },
      },
      required: ["key"],
    }),
  },
  async ({ key, steps = 20, stepMs = 150 }, ctx) => {
    const saved = ctx.checkpoint as StepsCheckpoint | undefined;
    const run = Math.random().toString(36).slice(2, 10);
    let n = saved?.n ?? 0;
    const log = [...(saved?.log ?? [])];
    const runs = [...(saved?.runs ?? []), { instance: NAME, pid: process.pid, run, from: n }];
    const me = { instance: NAME, pid: process.pid, run };
    const now = Date.now();
    await appendStep(key, { kind: "start", step: n, ...me, started: now, ended: now });
    while (n < steps) {
      const started = Date.now();
      await pause(stepMs, ctx.signal);
      n++;
      await appendStep(key, { kind: "step", step: n, ...me, started, ended: Date.now() });
      log.push(`${NAME}:${n}`);
      await ctx.saveCheckpoint({ n, log, runs } satisfies StepsCheckpoint);
    }
    return {
      content: [{ type: "text", text: JSON.stringify({ log, runs }) }],
      structuredContent: { log, runs },
    };
  },
);

const options: HandlerOptions = {
  secret: SECRET,
  storeTimeoutMs: STORE_TIMEOUT_MS,
  onError: report,
  keepAliveMs: 5_000,
};
if (stores !== undefined) options.stores = stores;
if (env.FAULTS_LEASE_MS !== undefined) options.leaseMs = Number(env.FAULTS_LEASE_MS);
const mcp = createHandler(server, options);

let requests = 0;
let active = 0;
const started = Date.now();
const app: FetchApp = {
  async fetch(request, appEnv, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__faults/task" || url.pathname === "/__faults/ledger") {
      const id = url.searchParams.get(url.pathname === "/__faults/task" ? "id" : "key") ?? "";
      if (stores === undefined) {
        const steps = url.pathname === "/__faults/ledger" ? memoryLedgers.get(id) : undefined;
        if (steps !== undefined) return Response.json({ steps });
        return new Response("absent (task records are not reachable on the memory store)", { status: 404 });
      }
      // `{ kind: "task", id }` is where the core keeps a task's record (`keys.task` in core).
      const record = await stores.sessions.get(
        url.pathname === "/__faults/task" ? { kind: "task", id } : ledgerKey(id),
      );
      return record === undefined ? new Response("absent", { status: 404 }) : Response.json(record.value);
    }
    if (url.pathname === "/__faults/stats") {
      return Response.json({
        name: NAME,
        pid: process.pid,
        store: STORE,
        uptimeMs: Date.now() - started,
        memory: process.memoryUsage(),
        requests,
        active,
        errors: Object.fromEntries(errors),
        lastErrors,
      });
    }
    requests++;
    active++;
    try {
      return await mcp.fetch(request, appEnv, ctx);
    } finally {
      active--;
    }
  },
};

const http = await serve(app, {
  port: Number(env.FAULTS_PORT ?? 0),
  hostname: "127.0.0.1",
  gracefulTimeoutMs: GRACEFUL_MS,
  handleSignals: true,
  onError: (error) => report(error, "adapter"),
});
process.stdout.write(`${JSON.stringify({ url: `${http.url}/mcp`, port: http.port, pid: process.pid })}\n`);

// serve() closes gracefully on SIGTERM (handleSignals); this listener waits for that close (the same
// promise), then closes the stores and exits, reporting how long each step took.
process.once("SIGTERM", () => {
  const t0 = Date.now();
  emit({ event: "sigterm" });
  void http
    .close()
    .then(() => emit({ event: "http-closed", ms: Date.now() - t0 }))
    .then(() => mcp.close())
    .then(closeStores)
    .then(() => {
      emit({ event: "exit", ms: Date.now() - t0 });
      process.exit(0);
    });
});
