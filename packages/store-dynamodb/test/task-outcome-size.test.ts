/**
 * A task whose result is over DynamoDB's 400 KB item limit, on a real table (dynalite): the write
 * is refused for good, so the task fails at once with a clear message and its tool runs once —
 * not again at every lease until `maxRuns`. A result under the limit completes as usual.
 */
import { addTool, createHandler, enableTasks, McpServer } from "@portico/core";
import { initializeBody, legacyPost } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoDbStores } from "../src/index.ts";
import { type LocalTable, startLocalTable } from "./_dynalite.ts";

const URL_ = "http://127.0.0.1/mcp";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let table: LocalTable | undefined;
beforeAll(async () => {
  table = await startLocalTable(`task-size-${Date.now()}`);
}, 60_000);
afterAll(async () => {
  await table?.close();
});

describe("a task result over DynamoDB's item limit", () => {
  it("fails the task once, with a clear message; a result under the limit completes", async () => {
    if (table === undefined) throw new Error("no table");
    const stores = dynamoDbStores({ ...table.connection, busPollMs: 50 });
    const runs = { big: 0, fits: 0 };
    const server = new McpServer({ name: "task-size", version: "1.0.0" });
    enableTasks(server, { pollIntervalMs: 20, leaseMs: 300 });
    addTool(server, "big", { taskSupport: "optional" }, async () => {
      runs.big++;
      return "x".repeat(450 * 1024);
    });
    addTool(server, "fits", { taskSupport: "optional" }, async () => {
      runs.fits++;
      return "y".repeat(100 * 1024);
    });
    const reported: unknown[] = [];
    const handler = createHandler(server, { stores, onError: (error) => reported.push(error) });
    // The work each request leaves running (task runs, lease and session writes), as a host keeps
    // it: awaited before the table closes, so nothing writes to a closed table.
    const pending = new Set<Promise<unknown>>();
    const ctx = { waitUntil: (work: Promise<unknown>) => void pending.add(work) };
    try {
      const init = await handler.fetch(legacyPost(URL_, initializeBody(0)), undefined, ctx);
      const sessionId = init.headers.get("mcp-session-id");
      if (sessionId === null) throw new Error(`initialize: ${init.status}`);
      const call = async (method: string, params: Record<string, unknown>) => {
        const response = await handler.fetch(
          legacyPost(
            URL_,
            { jsonrpc: "2.0", id: 1, method, params },
            { sessionId, protocolVersion: "2025-11-25" },
          ),
          undefined,
          ctx,
        );
        const text = await response.text();
        const data = text.startsWith("{") ? text : (text.match(/^data: (.*)$/m)?.[1] ?? "{}");
        return JSON.parse(data) as Record<string, any>;
      };
      const settled = async (taskId: string) => {
        for (let i = 0; i < 300; i++) {
          const got = (await call("tasks/get", { taskId })).result;
          if (got?.status !== "working") return got;
          await sleep(20);
        }
        throw new Error("the task stayed working");
      };
      const big = (await call("tools/call", { name: "big", arguments: {}, task: { ttl: 60_000 } })).result
        .task;
      const failed = await settled(big.taskId);
      expect(failed).toMatchObject({ status: "failed" });
      expect(failed.statusMessage).toMatch(/result could not be stored/);
      await sleep(1_000); // > 3 leases: nothing runs it again
      expect((await call("tasks/get", { taskId: big.taskId })).result.status).toBe("failed");
      expect(runs.big).toBe(1);
      expect(reported.some((e) => /DynamoDB ValidationException/.test(String(e)))).toBe(true);

      const fits = (await call("tools/call", { name: "fits", arguments: {}, task: { ttl: 60_000 } })).result
        .task;
      expect(await settled(fits.taskId)).toMatchObject({ status: "completed" });
      const result = (await call("tasks/result", { taskId: fits.taskId })).result;
      expect(result.content[0].text).toHaveLength(100 * 1024);
      expect(runs.fits).toBe(1);
    } finally {
      handler.close();
      for (let round = 0; pending.size > 0 && round < 20; round++) {
        const now = [...pending];
        pending.clear();
        await Promise.allSettled(now);
      }
      await stores.bus.close();
    }
  }, 30_000);
});
