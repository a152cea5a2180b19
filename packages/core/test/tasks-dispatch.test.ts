/**
 * Tasks run elsewhere: `enableTasks({ dispatch })` hands each run to a worker (a queue, another
 * invocation), which calls `handler.runTask(job)`. A run stopped by its host's deadline saves its
 * progress (`ctx.saveCheckpoint`), hands the task on to a new run, and that run resumes from it.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, enableTasks, McpServer, memoryStores, type TaskJob } from "../src/index.ts";
import { modern } from "./_client.ts";

const EXT = "io.modelcontextprotocol/tasks";
const caps = { capabilities: { extensions: { [EXT]: {} } } };

/** A tool counting to 10 in steps of 50 ms, saving its count after each step (unless `save` is false). */
function counter(jobs: TaskJob[], maxRuns = 3, save = true): McpServer {
  const server = new McpServer({ name: "dispatch", version: "1.0.0" });
  enableTasks(server, { maxRuns, dispatch: async (job) => void jobs.push(job) });
  addTool(server, "count", { taskSupport: "required" }, async (_args, ctx) => {
    let n = typeof ctx.checkpoint === "number" ? ctx.checkpoint : 0;
    const resumedFrom = n;
    while (n < 10) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          reject(ctx.signal.reason);
        };
        const timer = setTimeout(() => {
          ctx.signal.removeEventListener("abort", onAbort);
          resolve();
        }, 50);
        ctx.signal.addEventListener("abort", onAbort, { once: true });
      });
      n++;
      if (save) await ctx.saveCheckpoint(n);
    }
    return `counted to ${n}, resumed from ${resumedFrom}`;
  });
  return server;
}

describe("dispatched task runs", () => {
  it("a run stopped at its deadline hands on to a new run that resumes from the checkpoint", async () => {
    const jobs: TaskJob[] = [];
    const stores = memoryStores();
    const front = createHandler(counter(jobs), { stores });
    const created = await modern(front, "tools/call", { name: "count", arguments: {} }, caps);
    const { taskId } = created.final.result;
    expect(jobs).toHaveLength(1);
    // Invocation 2 (a worker): a deadline 300 ms away, of which the margin takes 100 ms.
    const worker = createHandler(counter(jobs), { stores, deadlineMarginMs: 100 });
    await worker.runTask(jobs[0], undefined, { deadline: Date.now() + 300 });
    expect(jobs).toHaveLength(2);
    expect(jobs[1]?.taskId).toBe(taskId);
    const midway = await modern(front, "tasks/get", { taskId }, { ...caps, headers: { "mcp-name": taskId } });
    expect(midway.final.result.status).toBe("working");
    // Invocation 3 finishes it from the saved count.
    await worker.runTask(jobs[1], undefined, { deadline: Date.now() + 5_000 });
    const done = await modern(front, "tasks/get", { taskId }, { ...caps, headers: { "mcp-name": taskId } });
    expect(done.final.result.status).toBe("completed");
    const text = done.final.result.result.content[0].text as string;
    const resumedFrom = Number(/resumed from (\d+)/.exec(text)?.[1]);
    expect(text).toMatch(/^counted to 10/);
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThan(10);
  });

  it("a checkpointing task takes as many time slices as it needs; one that saves nothing fails after maxRuns", async () => {
    for (const save of [true, false]) {
      const jobs: TaskJob[] = [];
      const stores = memoryStores();
      // Saving: room for a slice a loaded machine's late timers left without a step (a slice that
      // saved nothing counts towards maxRuns). Not saving: it fails after 2.
      const maxRuns = save ? 4 : 2;
      const front = createHandler(counter(jobs, maxRuns, save), { stores });
      const created = await modern(front, "tools/call", { name: "count", arguments: {} }, caps);
      const { taskId } = created.final.result;
      const worker = createHandler(counter(jobs, maxRuns, save), { stores, deadlineMarginMs: 50 });
      // Slices of 170 ms: about two steps each, so a full count needs five or more.
      for (let slice = 0; slice < 20 && jobs.length > slice; slice++) {
        await worker.runTask(jobs[slice], undefined, { deadline: Date.now() + 170 });
      }
      const got = await modern(front, "tasks/get", { taskId }, { ...caps, headers: { "mcp-name": taskId } });
      if (save) {
        expect(got.final.result.status).toBe("completed");
        expect(jobs.length).toBeGreaterThanOrEqual(5);
      } else {
        expect(got.final.result).toMatchObject({ status: "failed", error: { code: -32603 } });
        expect(got.final.result.statusMessage).toMatch(/without saving progress/);
      }
    }
  });

  it("a job for a task another run holds does nothing; a malformed job is refused", async () => {
    const jobs: TaskJob[] = [];
    const stores = memoryStores();
    const handler = createHandler(counter(jobs), { stores });
    await modern(handler, "tools/call", { name: "count", arguments: {} }, caps);
    const stale = { taskId: jobs[0]?.taskId, token: "not-the-reserved-token" };
    const started = Date.now();
    await handler.runTask(stale);
    expect(Date.now() - started).toBeLessThan(200);
    await expect(handler.runTask({ taskId: 5 })).rejects.toThrow(/taskId: string, token: string/);
    const plain = createHandler(new McpServer({ name: "p", version: "1" }));
    await expect(plain.runTask(jobs[0])).rejects.toThrow(/enableTasks/);
  });

  it("a dispatch that fails leaves the client its task (reported): a poll after the lease dispatches it again", async () => {
    const jobs: TaskJob[] = [];
    let refuse = true;
    const server = new McpServer({ name: "dispatch", version: "1.0.0" });
    enableTasks(server, {
      leaseMs: 200,
      dispatch: async (job) => {
        if (refuse) throw new Error("Rate exceeded (throttled)");
        jobs.push(job);
      },
    });
    addTool(server, "quick", { taskSupport: "required" }, () => "done");
    const reported: string[] = [];
    const front = createHandler(server, { onError: (_e, where) => reported.push(where) });
    const created = await modern(front, "tools/call", { name: "quick", arguments: {} }, caps);
    expect(created.final.result.resultType).toBe("task");
    const { taskId } = created.final.result;
    expect(reported).toStrictEqual([`task ${taskId} dispatch`]);
    // The lease runs out, and the dispatch has recovered: the next poll hands the task on again.
    refuse = false;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const polled = await modern(front, "tasks/get", { taskId }, { ...caps, headers: { "mcp-name": taskId } });
    expect(polled.final.result.status).toBe("working");
    expect(jobs.map((job) => job.taskId)).toStrictEqual([taskId]);
    await front.runTask(jobs[0]);
    const done = await modern(front, "tasks/get", { taskId }, { ...caps, headers: { "mcp-name": taskId } });
    expect(done.final.result.status).toBe("completed");
  });
});
