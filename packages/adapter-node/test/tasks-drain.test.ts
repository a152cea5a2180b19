/**
 * Tasks on Node: a run is `waitUntil` work of `serve()`, so a graceful `close()` drains it; a run
 * longer than the grace period saves its progress, hands the task back when its signal fires, and
 * another instance over the same stores takes it up and finishes it.
 */
import { addTool, createHandler, enableTasks, McpServer, memoryStores, type Stores } from "@portico/core";
import { sleep } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { serve } from "../src/index.ts";

const EXT = "io.modelcontextprotocol/tasks";

function stepper(stepMs: number, steps: number): McpServer {
  const server = new McpServer({ name: "drain", version: "1.0.0" });
  enableTasks(server, { leaseMs: 600 });
  addTool(server, "steps", { taskSupport: "required" }, async (_args, ctx) => {
    const from = typeof ctx.checkpoint === "number" ? ctx.checkpoint : 0;
    for (let n = from + 1; n <= steps; n++) {
      await sleep(stepMs, ctx.signal);
      await ctx.saveCheckpoint(n);
    }
    return `${steps} steps, resumed from ${from}`;
  });
  return server;
}

function post(url: string, method: string, params: Record<string, unknown>) {
  const name = (method === "tools/call" ? params.name : params.taskId) as string;
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      "mcp-name": name,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": { extensions: { [EXT]: {} } },
        },
      },
    }),
  }).then((r) => r.json() as Promise<{ result: Record<string, any> }>);
}

async function instance(stores: Stores, server: McpServer, gracefulTimeoutMs: number) {
  const mcp = createHandler(server, { stores, deadlineMarginMs: 300 });
  const running = await serve(mcp, { port: 0, gracefulTimeoutMs, onError: () => {} });
  return { url: `${running.url}/mcp`, close: running.close, mcp };
}

describe("tasks on serve()", () => {
  it("close() waits for a running task to finish", async () => {
    const stores = memoryStores();
    const a = await instance(stores, stepper(60, 4), 5_000);
    const created = await post(a.url, "tools/call", { name: "steps", arguments: {} });
    const { taskId } = created.result;
    await new Promise((r) => setTimeout(r, 50));
    await a.close();
    a.mcp.close();
    const b = await instance(stores, stepper(60, 4), 5_000);
    try {
      const got = await post(b.url, "tasks/get", { taskId });
      expect(got.result).toMatchObject({
        status: "completed",
        result: { content: [{ text: "4 steps, resumed from 0" }] },
      });
    } finally {
      await b.close();
      b.mcp.close();
    }
  });

  it("a task longer than the grace period is handed back and finished by another instance", async () => {
    const stores = memoryStores();
    const a = await instance(stores, stepper(100, 20), 800);
    const created = await post(a.url, "tools/call", { name: "steps", arguments: {} });
    const { taskId } = created.result;
    await new Promise((r) => setTimeout(r, 250));
    const closing = Date.now();
    await a.close();
    a.mcp.close();
    // Handed back within the grace period, not at its end by force.
    expect(Date.now() - closing).toBeLessThan(1_500);
    const b = await instance(stores, stepper(100, 20), 5_000);
    try {
      let task: Record<string, any> = {};
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        task = (await post(b.url, "tasks/get", { taskId })).result;
        if (task.status !== "working") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(task.status).toBe("completed");
      const resumedFrom = Number(/resumed from (\d+)/.exec(task.result.content[0].text)?.[1]);
      expect(resumedFrom).toBeGreaterThan(0);
      expect(resumedFrom).toBeLessThan(20);
    } finally {
      await b.close();
      b.mcp.close();
    }
  });
});
