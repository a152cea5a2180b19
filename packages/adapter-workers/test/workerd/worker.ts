/**
 * The test Worker: a default export whose app a test can swap (`serveThroughWorker`), so requests
 * made with `SELF.fetch` run as real, separate Worker invocations — each with its own I/O context —
 * through `handle()`; and the task runner Durable Object classes, whose runs go to the app a test
 * gives (`runTasksWith`). Durable Objects of the main Worker run in the tests' isolate, so a test's
 * module-scope stores are the ones both the Worker and the objects use.
 */

import type { FetchApp } from "../../src/index.ts";
import { handle, taskRunnerObject } from "../../src/index.ts";

export interface TestEnv {
  PORTICO_TEST_BINDING: string;
  TASK_RUNNER: DurableObjectNamespace;
  SHORT_TASK_RUNNER: DurableObjectNamespace;
  STEPPED_TASK_RUNNER: DurableObjectNamespace;
}

let current: ((env: TestEnv) => FetchApp) | undefined;

/** Makes the default export serve `factory(env)`'s app until the next call. */
export function serveThroughWorker(factory: ((env: TestEnv) => FetchApp) | undefined): void {
  current = factory;
}

let handler: ReturnType<typeof handle<TestEnv>> | undefined;
let servedFactory: typeof current;

export default {
  fetch(request: Request, env: TestEnv, ctx: ExecutionContext): Promise<Response> {
    if (current === undefined) return Promise.resolve(new Response("no app under test", { status: 503 }));
    if (handler === undefined || servedFactory !== current) {
      servedFactory = current;
      handler = handle<TestEnv>(current);
    }
    return handler.fetch(request, env, ctx);
  },
};

let runner: ((env: TestEnv) => FetchApp) | undefined;

/** Makes the task runner objects run their tasks on `factory(env)`'s app until the next call. */
export function runTasksWith(factory: ((env: TestEnv) => FetchApp) | undefined): void {
  runner = factory;
}

/** The app the task runner classes are given: the one of `runTasksWith`, swapped per test. */
const swappable = {
  fetch: () => new Response("the task runner serves no requests", { status: 404 }),
  runTask(job: unknown, env: unknown, ctx: object): Promise<void> {
    const app = runner?.(env as TestEnv) as {
      runTask?: (j: unknown, e: unknown, c: object) => Promise<void>;
    };
    if (typeof app?.runTask !== "function") return Promise.reject(new Error("no task app under test"));
    return app.runTask(job, env, ctx);
  },
} as FetchApp;

/** The alarm budget of `ShortTaskRunner`: short enough that a test's task needs several alarms. */
export const SHORT_BUDGET_MS = 600;

export class PorticoTaskRunner extends taskRunnerObject<TestEnv>(swappable) {}
export class ShortTaskRunner extends taskRunnerObject<TestEnv>(swappable, { budgetMs: SHORT_BUDGET_MS }) {}

/**
 * `ShortTaskRunner`, but its alarms run only when a test runs them (`runDurableObjectAlarm`, which
 * calls `alarm()` without alarm info): one that fires on its own is put off by an hour, so a test
 * can look at the object between two runs.
 */
export class SteppedTaskRunner extends taskRunnerObject<TestEnv>(swappable, { budgetMs: SHORT_BUDGET_MS }) {
  override async alarm(alarmInfo?: AlarmInvocationInfo): Promise<void> {
    if (alarmInfo !== undefined) {
      await this.ctx.storage.setAlarm(Date.now() + 3_600_000);
      return;
    }
    await super.alarm();
  }
}
