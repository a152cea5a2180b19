/**
 * The quickstart server plus a few test-only tools, served by the Node adapter on 127.0.0.1:0.
 */
import { type Server, serve } from "@portico/adapter-node";
import { addPrompt, addTool, createHandler, type HandlerContext } from "@portico/core";
import * as v from "valibot";
import { createQuickstartServer } from "../src/tools.ts";

export interface TestServer {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  endpoint: URL;
  /**
   * The `slow` tool's run for `key`: `started` resolves when it starts running, `aborted` once its
   * `ctx.signal` fires (with the abort reason).
   */
  slow(key: string): SlowRun;
  close(): Promise<void>;
}

export interface SlowRun {
  started: Promise<void>;
  aborted: Promise<unknown>;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const LANGUAGES = ["typescript", "python", "rust", "go"];

export async function startTestServer(): Promise<TestServer> {
  const server = createQuickstartServer();
  const runs = new Map<string, { started: Deferred<void>; aborted: Deferred<unknown> }>();
  const run = (key: string) => {
    let entry = runs.get(key);
    if (!entry) {
      entry = { started: deferred<void>(), aborted: deferred<unknown>() };
      runs.set(key, entry);
    }
    return entry;
  };

  addTool(
    server,
    "slow",
    { description: "Runs until cancelled.", input: v.object({ key: v.string() }) },
    async ({ key }, ctx: HandlerContext) => {
      const { started, aborted } = run(key);
      started.resolve();
      await ctx.progress(0, 1, "started");
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) return resolve();
        ctx.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      aborted.resolve(ctx.signal.reason);
      return "cancelled";
    },
  );

  addTool(
    server,
    "summarize",
    { description: "Asks the client's model (sampling).", input: v.object({ text: v.string() }) },
    async ({ text }, ctx) => {
      const result = await ctx.sample({
        messages: [{ role: "user", content: { type: "text", text: `Summarize: ${text}` } }],
        maxTokens: 50,
      });
      const content = Array.isArray(result.content) ? result.content[0] : result.content;
      return content?.type === "text" ? `Summary: ${content.text}` : "Summary: (none)";
    },
  );

  addPrompt(
    server,
    "pick-language",
    {
      description: "Pick a programming language.",
      arguments: [{ name: "language", required: true }],
      complete: { language: (value) => LANGUAGES.filter((l) => l.startsWith(value)) },
    },
    ({ language }) => ({
      messages: [{ role: "user", content: { type: "text", text: `I like ${language}.` } }],
    }),
  );

  const mcp = createHandler(server, { onError: () => {} });
  const http: Server = await serve(
    { fetch: (request: Request) => mcp.fetch(request) },
    { port: 0, hostname: "127.0.0.1" },
  );
  return {
    endpoint: new URL(`${http.url}/mcp`),
    slow: (key) => ({ started: run(key).started.promise, aborted: run(key).aborted.promise }),
    async close() {
      mcp.close();
      await http.close();
    },
  };
}

/**
 * Awaits `promise`, failing with a message naming `what` if it does not settle within 10 s: a liveness
 * guard that says which step hung (instead of a bare test timeout), not a timing assertion.
 */
export async function step<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after 10 s for: ${what}`)), 10_000);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}
