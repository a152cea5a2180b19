/**
 * `npm run dev` in the Lambda quickstart, exactly as the README says: no AWS account, no build,
 * no environment. The script (`portico-lambda-dev src/local.ts --export streamHandler`) serves the
 * streaming handler through Function URL events with memory stores; the official SDK clients
 * drive both eras through it, server→client requests and round trips included. Each run of a task
 * is an asynchronous invocation through the dev server's stand-in of Lambda's Invoke API, as
 * deployed (the dev server points `AWS_ENDPOINT_URL_LAMBDA` at itself).
 */

import { fileURLToPath } from "node:url";
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { expectSalesChartApp, SALES_CHART_URI } from "@portico/example-quickstart/test-apps";
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { type ReadyProcess, spawnReady } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../..", import.meta.url));

const EXT = "io.modelcontextprotocol/tasks";
const WITH_TASKS = { clientCapabilities: { extensions: { [EXT]: {} } } };

let dev: ReadyProcess | undefined;
let endpoint: URL;

/** What a user's shell has: none of the variables the deployed function reads. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  const deployed = ["TABLE_NAME", "SECRET_ARN", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
  for (const name of [...deployed, "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL", "NODE_OPTIONS"]) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** `npm run dev [-- args]`, as the README says; resolves once it prints its endpoint. */
function runDev(args: string[], env: NodeJS.ProcessEnv): Promise<ReadyProcess> {
  return spawnReady(
    "sh",
    ["scripts/pnpm.sh", "--silent", "--filter", "@portico/example-quickstart-lambda", "dev", ...args],
    /at (http:\/\/127\.0\.0\.1:\d+\/mcp)/,
    { cwd: ROOT, env },
  );
}

beforeAll(async () => {
  dev = await runDev([], userEnv({ PORT: "0" }));
  endpoint = new URL(dev.match[1] as string);
}, 90_000);

afterAll(() => dev?.stop());

/** A modern `tools/call` of `report` from a client that declares tasks: the CreateTaskResult. */
async function startReport(mcp: URL, sections: number) {
  const response = await fetch(
    modernPost(mcp, "tools/call", { name: "report", arguments: { sections } }, WITH_TASKS),
  );
  expect(response.status).toBe(200);
  const [created] = await readJsonRpc(response);
  expect(created?.result).toMatchObject({ resultType: "task", status: "working" });
  return created?.result.taskId as string;
}

/** Polls `tasks/get` until the task has ended (at most `limitMs`). */
async function settled(mcp: URL, taskId: string, limitMs = 15_000) {
  const until = Date.now() + limitMs;
  for (;;) {
    const request = modernPost(
      mcp,
      "tasks/get",
      { taskId },
      { ...WITH_TASKS, headers: { "Mcp-Name": taskId } },
    );
    const [answer] = await readJsonRpc(await fetch(request));
    const task = answer?.result;
    if (["completed", "failed", "cancelled"].includes(task?.status)) return task;
    if (Date.now() > until) throw new Error(`task ${taskId} still ${task?.status} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("the Lambda quickstart locally (`npm run dev`, no AWS)", () => {
  it("serves the streaming handler with Function URL events on 127.0.0.1", () => {
    expect(dev?.output()).toContain("Lambda handler streamHandler (v2 events)");
    expect(endpoint.hostname).toBe("127.0.0.1");
  });

  it("legacy era (SDK v1): a session in memory, progress on SSE, an elicitation answered", async () => {
    const client = new Client(
      { name: "lambda-local", version: "1.0.0" },
      { capabilities: { elicitation: {} } },
    );
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { name: "Ada" } }));
    const transport = new StreamableHTTPClientTransport(endpoint);
    await client.connect(transport);
    try {
      expect(transport.sessionId).toBeTruthy();
      const sum = await client.callTool({ name: "add", arguments: { a: 40, b: 2 } });
      expect(sum.structuredContent).toEqual({ sum: 42 });
      const progress: number[] = [];
      const countdown = await client.callTool(
        { name: "countdown", arguments: { from: 2 } },
        CallToolResultSchema,
        { onprogress: (p) => progress.push(p.progress) },
      );
      expect(countdown.content).toEqual([{ type: "text", text: "Liftoff!" }]);
      expect(progress).toEqual([1, 2]);
      const greeting = await client.callTool({ name: "greet", arguments: {} });
      expect(greeting.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });

  it("modern era (SDK v2): an input_required round trip sealed with the run's secret", async () => {
    const client = new V2Client(
      { name: "lambda-local-modern", version: "1.0.0" },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    client.setRequestHandler("elicitation/create", () => ({ action: "accept", content: { name: "Bo" } }));
    await client.connect(new V2Transport(endpoint));
    try {
      const greeting = await client.callTool({ name: "greet", arguments: {} });
      expect(greeting.content).toEqual([{ type: "text", text: "Hello, Bo!" }]);
    } finally {
      await client.close();
    }
    // A run with its own secret prints no notice about a missing one.
    expect(dev?.output()).not.toMatch(/secret/i);
  });

  it("MCP Apps: the chart's ui:// resource and chart_sales, in both eras", async () => {
    const uri = SALES_CHART_URI;
    await expectSalesChartApp(endpoint, "lambda-local-apps");
    const legacy = new Client({ name: "lambda-local-apps-legacy", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(endpoint);
    await legacy.connect(transport);
    try {
      const read = await legacy.readResource({ uri });
      expect(read.contents[0]).toMatchObject({ uri, mimeType: "text/html;profile=mcp-app" });
      const chart = await legacy.callTool({ name: "chart_sales", arguments: { period: "quarter" } });
      expect(chart.structuredContent).toMatchObject({ period: "quarter", total: 8315 });
      // No MCP Apps declared: the figures as text.
      expect(JSON.stringify(chart.content)).toContain("Jan: 2710");
    } finally {
      await transport.terminateSession();
      await legacy.close();
    }
  });

  it("tasks: a report becomes a task whose run is an asynchronous invocation, polled to its result", async () => {
    const started = Date.now();
    const taskId = await startReport(endpoint, 4);
    // streamHandler answers before the run (kept going after the answer) has finished: well
    // before its 4 s of sections (the bound leaves a loaded machine room to start the run).
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await settled(endpoint, taskId)).toMatchObject({
      status: "completed",
      result: { content: [{ type: "text", text: "Report ready: 4 sections." }] },
    });
  });
});

describe("`npm run dev -- --export handler`: the buffered handler, with no variable set", () => {
  let buffered: ReadyProcess | undefined;
  let mcp: URL;

  beforeAll(async () => {
    const env = userEnv({ PORT: "0" });
    buffered = await runDev(["--export", "handler"], env);
    mcp = new URL(buffered.match[1] as string);
  }, 90_000);

  afterAll(() => buffered?.stop());

  it("serves the buffered handler, whose task runs in an asynchronous invocation of its own", async () => {
    expect(buffered?.output()).toContain("Lambda handler handler (v2 events)");
    const started = Date.now();
    const taskId = await startReport(mcp, 4);
    // The buffered handler waits for its invocation's work: it answers before the 4 s report has
    // run only because the run is another invocation (the dev server's Invoke API, which it points
    // AWS_ENDPOINT_URL_LAMBDA at by itself), as deployed.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await settled(mcp, taskId)).toMatchObject({
      status: "completed",
      result: { content: [{ type: "text", text: "Report ready: 4 sections." }] },
    });
  });
});
