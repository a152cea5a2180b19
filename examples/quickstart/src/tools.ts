/**
 * The quickstart's MCP server: written once, deployed to every target Portico supports.
 */
import { addAppResource, addAppTool, hostSupportsApps } from "@portico/apps";
import { addPrompt, addResource, addTool, enableTasks, McpServer, type TasksOptions } from "@portico/core";
import * as v from "valibot";
import { PERIODS, salesFor, salesText } from "./sales.ts";

/** The sales chart's UI resource (an MCP App: HTML a host renders in a sandboxed iframe). */
export const SALES_CHART_URI = "ui://portico-quickstart/sales-chart.html";

export interface QuickstartOptions {
  /**
   * Where runs of the `report` task start: by default in the instance that created it (Node,
   * Workers, Vercel: kept alive with `waitUntil`); on Lambda, `invokeSelf()` of
   * `@portico/adapter-lambda` (an asynchronous invocation of the same function).
   */
  taskDispatch?: TasksOptions["dispatch"];
  /** Milliseconds per report section (default 1000; tests make it shorter). */
  reportStepMs?: number;
}

export function createQuickstartServer(options: QuickstartOptions = {}): McpServer {
  const server = new McpServer({ name: "portico-quickstart", version: "0.1.0" });
  enableTasks(server, options.taskDispatch === undefined ? {} : { dispatch: options.taskDispatch });
  const stepMs = options.reportStepMs ?? 1000;

  addTool(
    server,
    "add",
    {
      title: "Add two numbers",
      description: "Adds two numbers and returns the sum.",
      input: v.object({ a: v.number(), b: v.number() }),
      output: v.object({ sum: v.number() }),
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b } }),
  );

  addTool(
    server,
    "countdown",
    {
      description: "Counts down from `from` to zero, reporting progress on the way.",
      input: v.object({ from: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)) }),
    },
    async ({ from }, ctx) => {
      for (let i = from; i > 0; i--) {
        if (ctx.signal.aborted) break;
        await ctx.progress(from - i + 1, from, `${i}…`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return "Liftoff!";
    },
  );

  addTool(
    server,
    "greet",
    { description: "Asks the user for their name (elicitation) and greets them." },
    async (_args, ctx) => {
      const answer = await ctx.elicit({
        message: "What is your name?",
        requestedSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
      });
      if (answer.action !== "accept") return "Maybe next time.";
      return `Hello, ${String(answer.content?.name)}!`;
    },
  );

  addTool(
    server,
    "report",
    {
      title: "Build a report",
      description:
        "Builds a report of `sections` sections, one a second: longer than API Gateway's 29 s by default, so clients that support tasks get a task to poll.",
      input: v.object({
        sections: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(600)), 40),
      }),
      // A task for clients that support tasks (2026-07-28 extension, 2025-11-25 `params.task`);
      // an ordinary (long) call for the others.
      taskSupport: "optional",
    },
    async ({ sections }, ctx) => {
      // Resumes from the last section saved: a run cut off by the function's time limit (or a
      // stopped instance) hands the task on, and the next run starts here.
      const done = typeof ctx.checkpoint === "number" ? ctx.checkpoint : 0;
      for (let section = done + 1; section <= sections; section++) {
        await pause(stepMs, ctx.signal);
        await ctx.saveCheckpoint(section);
      }
      return {
        content: [{ type: "text", text: `Report ready: ${sections} sections.` }],
        structuredContent: { sections },
      };
    },
  );

  // An MCP App: the chart's HTML (built by scripts/build-ui.mjs into a string module, loaded on
  // the first read), and a tool whose result it draws. Hosts without MCP Apps get the text.
  addAppResource(server, SALES_CHART_URI, {
    title: "Sales chart",
    description: "An interactive bar chart of the chart_sales tool's figures.",
    html: () => import("./ui/chart.html.ts").then((module) => module.default),
    prefersBorder: true,
  });

  addAppTool(
    server,
    "chart_sales",
    {
      title: "Chart sales",
      description:
        "Sales figures for a period (week, month or quarter), drawn as an interactive chart by hosts that support MCP Apps.",
      input: v.object({ period: v.optional(v.picklist(PERIODS), "week") }),
      output: v.object({
        period: v.picklist(PERIODS),
        unit: v.string(),
        points: v.array(v.object({ label: v.string(), value: v.number() })),
        total: v.number(),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true },
      ui: SALES_CHART_URI,
    },
    ({ period }, ctx) => {
      const series = salesFor(period);
      // The chart shows the figures: a host that renders it gets a summary, any other the table.
      return {
        content: [{ type: "text", text: salesText(series, !hostSupportsApps(ctx)) }],
        structuredContent: series,
      };
    },
  );

  addResource(
    server,
    "quickstart://readme",
    { name: "readme", description: "What this server is.", mimeType: "text/plain" },
    (uri) => [{ uri, mimeType: "text/plain", text: "A Portico quickstart server." }],
  );

  addPrompt(
    server,
    "review",
    { description: "Ask for a code review.", arguments: [{ name: "code", required: true }] },
    ({ code }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Please review:\n${code}` } }],
    }),
  );

  return server;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
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
