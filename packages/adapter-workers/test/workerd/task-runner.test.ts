/**
 * Tasks past `waitUntil`: `durableObjectTaskDispatch` hands each run to a Durable Object of the
 * task (`task:<taskId>`), whose alarm runs it with `app.runTask`. A `tools/call` through the Worker
 * answers a CreateTaskResult once the object holds the job; the alarm runs the task; a run that
 * reaches its alarm budget hands on to the next alarm of the same object, which resumes from the
 * checkpoint; a run that throws fails the alarm and Cloudflare's retry runs it; a stale job does
 * nothing. The stores are one `memoryStores()` of this module: the Worker and the objects of the
 * main Worker run in this isolate.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { addTool, createHandler, enableTasks, McpServer, memoryStores } from "@portico/core";
import { modernPost, readJsonRpc, sleep } from "@portico/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { durableObjectTaskDispatch, taskRunnerObject } from "../../src/index.ts";
import { invokeWorker, TEST_SECRET, testEnv } from "./_fixtures.ts";
import { runTasksWith, serveThroughWorker, type TestEnv } from "./worker.ts";

afterEach(() => {
  serveThroughWorker(undefined);
  runTasksWith(undefined);
});

const EXT = "io.modelcontextprotocol/tasks";
const clientCapabilities = { extensions: { [EXT]: {} } };
/** Where the runner object keeps its job (src/task-runner.ts). */
const JOB_KEY = "portico:task-job";

type Runner = keyof Pick<TestEnv, "TASK_RUNNER" | "SHORT_TASK_RUNNER" | "STEPPED_TASK_RUNNER">;

/** What the runs of the counting tool saw; plain values only (they happen in other invocations). */
interface Runs {
  /** The checkpoint each run started from. */
  from: number[];
}

/**
 * The app of one test, on one set of stores, its tasks dispatched to the runner objects of
 * `runner`: a tool `count` (task required) counting to `steps` in steps of `stepMs`, saving its
 * count after each step, which answers "counted to N, resumed from M".
 */
function tasksApp(runner: Runner, runs: Runs, steps: number, stepMs: number) {
  const stores = memoryStores();
  const app = (env: TestEnv) => {
    const server = new McpServer({ name: "tasks", version: "1.0.0" });
    enableTasks(server, { dispatch: durableObjectTaskDispatch(env[runner]) });
    addTool(server, "count", { taskSupport: "required" }, async (_args, ctx) => {
      let n = typeof ctx.checkpoint === "number" ? ctx.checkpoint : 0;
      const from = n;
      runs.from.push(from);
      while (n < steps) {
        await sleep(stepMs, ctx.signal);
        n += 1;
        await ctx.saveCheckpoint(n);
      }
      return `counted to ${n}, resumed from ${from}`;
    });
    // deadlineMarginMs: the short runners' budget is 600 ms; the default 1 s margin would take it all.
    return createHandler(server, { stores, secret: TEST_SECRET, deadlineMarginMs: 100 });
  };
  serveThroughWorker(app);
  runTasksWith(app);
  return app;
}

/** `tools/call count` through the Worker, declaring the tasks extension: the CreateTaskResult. */
async function callCount(): Promise<Record<string, unknown>> {
  const res = await invokeWorker(
    modernPost(
      "http://localhost/mcp",
      "tools/call",
      { name: "count", arguments: {} },
      { clientCapabilities },
    ),
  );
  const [message] = await readJsonRpc(res);
  return (message as { result: Record<string, unknown> }).result;
}

/** `tasks/get` through the Worker. */
async function getTask(taskId: string): Promise<Record<string, any>> {
  const res = await invokeWorker(
    modernPost(
      "http://localhost/mcp",
      "tasks/get",
      { taskId },
      { clientCapabilities, headers: { "mcp-name": taskId } },
    ),
  );
  const [message] = await readJsonRpc(res);
  return (message as { result: Record<string, any> }).result;
}

async function settled(taskId: string, timeoutMs = 10_000): Promise<Record<string, any>> {
  let task = await getTask(taskId);
  const until = Date.now() + timeoutMs;
  while (task.status === "working" && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    task = await getTask(taskId);
  }
  return task;
}

function objectOf(runner: Runner, taskId: string) {
  const ns = testEnv[runner];
  return ns.get(ns.idFromName(`task:${taskId}`));
}

/** The object's job and alarm. */
function objectState(runner: Runner, taskId: string) {
  return runInDurableObject(objectOf(runner, taskId), async (_instance, state) => ({
    job: (await state.storage.get(JOB_KEY)) as { taskId: string; token: string } | undefined,
    alarm: await state.storage.getAlarm(),
    keys: [...(await state.storage.list()).keys()],
  }));
}

function outcome(task: Record<string, any>): { text: string; resumedFrom: number } {
  const text = task.result.content[0].text as string;
  return { text, resumedFrom: Number(/resumed from (\d+)/.exec(text)?.[1]) };
}

describe("durableObjectTaskDispatch + taskRunnerObject", () => {
  it("answers the CreateTaskResult once the object holds the job; its alarm runs the task; a run that reaches the budget hands on to a new alarm, which resumes from the checkpoint", async () => {
    const runs: Runs = { from: [] };
    // 8 steps of 100 ms; a run gets 600 ms minus the 100 ms margin: at least two runs.
    tasksApp("STEPPED_TASK_RUNNER", runs, 8, 100);
    const created = await callCount();
    expect(created).toMatchObject({ resultType: "task", status: "working" });
    const taskId = created.taskId as string;
    const scheduled = await objectState("STEPPED_TASK_RUNNER", taskId);
    expect(scheduled.job?.taskId).toBe(taskId);
    expect(typeof scheduled.job?.token).toBe("string");
    expect(scheduled.alarm).not.toBeNull();
    expect(runs.from).toEqual([]);

    // The first alarm: the run reaches its deadline, saves its count and dispatches the task again —
    // to this object, which now holds a new job (a new lease token) and an alarm.
    const object = objectOf("STEPPED_TASK_RUNNER", taskId);
    expect(await runDurableObjectAlarm(object)).toBe(true);
    expect(runs.from).toEqual([0]);
    expect((await getTask(taskId)).status).toBe("working");
    const handedOn = await objectState("STEPPED_TASK_RUNNER", taskId);
    expect(handedOn.job?.taskId).toBe(taskId);
    expect(handedOn.job?.token).not.toBe(scheduled.job?.token);
    expect(handedOn.alarm).not.toBeNull();

    // The next alarms resume from the checkpoint until the count is done (one more on a quiet machine).
    for (let alarm = 2; alarm <= 8 && (await getTask(taskId)).status === "working"; alarm++) {
      expect(await runDurableObjectAlarm(object)).toBe(true);
    }
    const done = await getTask(taskId);
    expect(done.status).toBe("completed");
    const { text, resumedFrom } = outcome(done);
    expect(text).toMatch(/^counted to 8,/);
    expect(runs.from.length).toBeGreaterThanOrEqual(2);
    expect(runs.from[1]).toBeGreaterThan(0);
    expect(resumedFrom).toBe(runs.from.at(-1));
    // The last run deleted its job; nothing is left in the object, no alarm is set.
    expect(await objectState("STEPPED_TASK_RUNNER", taskId)).toEqual({
      job: undefined,
      alarm: null,
      keys: [],
    });
    expect(await runDurableObjectAlarm(object)).toBe(false);
  });

  it("runs a task from the object's own alarm, with no poll: one alarm within the default budget", async () => {
    const runs: Runs = { from: [] };
    tasksApp("TASK_RUNNER", runs, 3, 50);
    const { taskId } = (await callCount()) as { taskId: string };
    const done = await settled(taskId);
    expect(done.status).toBe("completed");
    expect(outcome(done).text).toBe("counted to 3, resumed from 0");
    expect(runs.from).toEqual([0]);
    await expect
      .poll(() => objectState("TASK_RUNNER", taskId))
      .toEqual({ job: undefined, alarm: null, keys: [] });
  });

  it("hands a long task on from alarm to alarm on its own (a new alarm set while one runs fires after it)", async () => {
    const runs: Runs = { from: [] };
    tasksApp("SHORT_TASK_RUNNER", runs, 12, 100);
    const { taskId } = (await callCount()) as { taskId: string };
    const done = await settled(taskId, 15_000);
    expect(done.status).toBe("completed");
    expect(outcome(done).text).toMatch(/^counted to 12,/);
    expect(runs.from.length).toBeGreaterThanOrEqual(3);
    // Each run resumed where the previous one stopped.
    for (let i = 1; i < runs.from.length; i++) expect(runs.from[i]).toBeGreaterThan(runs.from[i - 1] ?? 0);
    await expect
      .poll(() => objectState("SHORT_TASK_RUNNER", taskId))
      .toEqual({ job: undefined, alarm: null, keys: [] });
  });

  it("a run that throws fails the alarm with the job kept; Cloudflare's retry runs it", async () => {
    const runs: Runs = { from: [] };
    const app = tasksApp("TASK_RUNNER", runs, 2, 20);
    // The first run fails before it holds the task (its app cannot be built), as a store outage would.
    let broken = true;
    runTasksWith((env) => {
      if (broken) {
        broken = false;
        throw new Error("the task app could not be built (a test failure)");
      }
      return app(env);
    });
    const { taskId } = (await callCount()) as { taskId: string };
    // The retry comes about 2 s later (backoff from 2 s).
    const done = await settled(taskId, 15_000);
    expect(broken).toBe(false);
    expect(done.status).toBe("completed");
    expect(runs.from).toEqual([0]);
  });

  it("a job whose task another run holds (a retry, a duplicate) does nothing and is dropped", async () => {
    const runs: Runs = { from: [] };
    tasksApp("STEPPED_TASK_RUNNER", runs, 2, 20);
    const { taskId } = (await callCount()) as { taskId: string };
    // The reserved lease is the dispatched job's: a job with another token finds the task held.
    await durableObjectTaskDispatch(testEnv.STEPPED_TASK_RUNNER)({ taskId, token: "not-the-reserved-token" });
    expect((await objectState("STEPPED_TASK_RUNNER", taskId)).job?.token).toBe("not-the-reserved-token");
    expect(await runDurableObjectAlarm(objectOf("STEPPED_TASK_RUNNER", taskId))).toBe(true);
    expect(runs.from).toEqual([]);
    expect((await getTask(taskId)).status).toBe("working");
    expect(await objectState("STEPPED_TASK_RUNNER", taskId)).toEqual({
      job: undefined,
      alarm: null,
      keys: [],
    });
  });

  it("a run that cannot start fails the alarm and keeps the job; a malformed job is refused", async () => {
    // No app under test: the test app's runTask rejects at once.
    const taskId = `t-${crypto.randomUUID()}`;
    await durableObjectTaskDispatch(testEnv.STEPPED_TASK_RUNNER)({ taskId, token: "k" });
    await expect(runDurableObjectAlarm(objectOf("STEPPED_TASK_RUNNER", taskId))).rejects.toThrow(
      /no task app under test/,
    );
    expect((await objectState("STEPPED_TASK_RUNNER", taskId)).job).toEqual({ taskId, token: "k" });
    const dispatch = durableObjectTaskDispatch(testEnv.STEPPED_TASK_RUNNER);
    await expect(dispatch({ taskId: 5 })).rejects.toThrow(/taskId: string, token: string/);
    const refused = await objectOf("STEPPED_TASK_RUNNER", taskId).fetch("https://portico-task-runner/job", {
      method: "PUT",
      body: JSON.stringify({ taskId }),
    });
    expect(refused.status).toBe(400);
    await refused.text();
    expect(() =>
      taskRunnerObject(() => ({ fetch: () => new Response(null) }), { budgetMs: 16 * 60_000 }),
    ).toThrow(/at most 900000/);
  });
});
