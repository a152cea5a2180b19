/**
 * The test Worker: a default export whose app a test can swap (`serveThroughWorker`), so requests
 * made with `SELF.fetch` run as real, separate Worker invocations — each with its own I/O context —
 * through `handle()`.
 */

import type { FetchApp } from "../../src/index.ts";
import { handle } from "../../src/index.ts";

export interface TestEnv {
  PORTICO_TEST_BINDING: string;
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
