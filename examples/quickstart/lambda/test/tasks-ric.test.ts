/**
 * Tasks on Lambda, under the official runtime interface client (see ric.test.ts): the BUILT bundle's
 * `report` task runs in asynchronous invocations of the same function (`invokeSelf()`), which reach
 * a stand-in of Lambda's Invoke API (`AWS_ENDPOINT_URL_LAMBDA`) and are queued through the local
 * Runtime API like any other event. The function's timeout is short (4.5 s, so a run has 3.5 s
 * before the core's 1 s deadline margin), the report long (5 sections of 1 s, its production pace):
 * the first run is cut by its deadline, saves its place and invokes the function again, the second
 * resumes from the checkpoint and completes, and a later HTTP invocation reads the result. Two
 * execution environments on one DynamoDB (dynalite): the runs land on different ones.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTaskEvent } from "@portico/adapter-lambda";
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_FILE, bundle } from "../scripts/bundle.ts";
import { serveFunctionUrl } from "./_function-url.ts";
import { type AcceptedInvocation, type InvocationEnd, serveInvokeApi } from "./_invoke-api.ts";
import { ensureRic, type RicProcess, ricSupported, startRic } from "./_ric.ts";
import { LocalFunction } from "./_runtime-api.ts";
import {
  credentials,
  dependenciesReady,
  functionEnv,
  REGION,
  type SecretsManagerStandIn,
  type Started,
  startDynalite,
  startSecretsManager,
} from "./_stand-ins.ts";

const TABLE = "portico-quickstart-ric-tasks";
const EXT = "io.modelcontextprotocol/tasks";
const WITH_TASKS = { clientCapabilities: { extensions: { [EXT]: {} } } };
/** The function's timeout: each run gets this minus the core's `deadlineMarginMs` (1 s). */
const TIMEOUT_MS = 4_500;
const RUN_BUDGET_MS = TIMEOUT_MS - 1_000;
/** 5 s of work at the tool's pace (1 s a section): more than one run's 3.5 s, less than two. */
const SECTIONS = 5;
/** The longest a task may take here before the test gives up (two runs take about 6 s). */
const TASK_LIMIT_MS = 20_000;

const stops: (() => Promise<void>)[] = [];
let outdir = "";
let dynamo: Started;
let secrets: SecretsManagerStandIn;

async function stopStarted(): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop();
}

/** Rejects when `promise` has not settled within `ms`. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** One function of two RIC processes, with a Function URL and the Invoke API in front of it. */
async function startFunction(name: string, handler: string) {
  const fn = new LocalFunction({ name, timeoutMs: TIMEOUT_MS, region: REGION });
  stops.push(() => fn.close());
  const lambdaApi = await serveInvokeApi(fn, credentials, REGION);
  stops.push(() => lambdaApi.close());
  const rics: RicProcess[] = [];
  for (let i = 0; i < 2; i++) {
    const ric = await startRic(fn, {
      handler,
      taskRoot: outdir,
      env: {
        ...functionEnv(TABLE, dynamo.url, secrets.url),
        // What invokeSelf() reads besides AWS_LAMBDA_FUNCTION_NAME, AWS_REGION and the credentials.
        AWS_ENDPOINT_URL_LAMBDA: lambdaApi.url,
      },
    });
    stops.push(() => ric.stop());
    rics.push(ric);
  }
  const front = await serveFunctionUrl(fn);
  stops.push(() => front.close());
  return { fn, lambdaApi, rics, mcp: new URL("/mcp", front.url) };
}

const ready = dependenciesReady && ricSupported;

beforeAll(async () => {
  if (!ready) return;
  ensureRic();
  outdir = mkdtempSync(join(tmpdir(), "portico-quickstart-lambda-ric-tasks-"));
  await bundle(outdir);
  dynamo = await startDynalite(TABLE);
  secrets = await startSecretsManager();
}, 360_000);

afterEach(stopStarted);

afterAll(async () => {
  if (!ready) return;
  await stopStarted();
  await secrets?.close();
  await dynamo?.close();
  rmSync(outdir, { recursive: true, force: true });
});

/** What a client sees of a task, and what happened on the Lambda side meanwhile. */
async function reportAcrossRuns(name: string, handler: string): Promise<void> {
  const { fn, lambdaApi, rics, mcp } = await startFunction(name, handler);
  const get = async (taskId: string) => {
    const request = modernPost(
      mcp,
      "tasks/get",
      { taskId },
      { ...WITH_TASKS, headers: { "Mcp-Name": taskId } },
    );
    const response = await fetch(request);
    expect(response.status).toBe(200);
    const [answer] = await readJsonRpc(response);
    expect(answer?.error).toBeUndefined();
    return answer?.result;
  };

  // Invocation 1 (HTTP): the task is stored, its first run dispatched, and the answer comes at once.
  const started = Date.now();
  const call = await fetch(
    modernPost(mcp, "tools/call", { name: "report", arguments: { sections: SECTIONS } }, WITH_TASKS),
  );
  expect(call.status).toBe(200);
  const [created] = await readJsonRpc(call);
  expect(created?.result).toMatchObject({ resultType: "task", status: "working" });
  expect(Date.now() - started).toBeLessThan(RUN_BUDGET_MS);
  const taskId = created?.result.taskId as string;

  // That dispatch was one signed asynchronous Invoke of this very function (unqualified: $LATEST).
  expect(lambdaApi.accepted).toHaveLength(1);
  const [dispatch] = lambdaApi.accepted;
  expect(dispatch?.event).toEqual({ portico: "task", job: { taskId, token: expect.any(String) } });
  expect(dispatch?.headers["x-amz-invocation-type"]).toBe("Event");
  expect(dispatch?.qualifier).toBeNull();

  // Meanwhile the other execution environment answers a poll from the table: still working.
  expect((await get(taskId))?.status).toBe("working");

  await within(TASK_LIMIT_MS, lambdaApi.idle(), "the task's runs");

  // The task's runs, each a task event, each answered (202: no error, no timeout). Two at the tool's
  // pace; a third only if a loaded machine delayed the first one's sections past its budget (the
  // core allows 3 runs of a task, hand-offs included).
  const runs = lambdaApi.accepted;
  expect(runs.length).toBeGreaterThanOrEqual(2);
  expect(runs.length).toBeLessThanOrEqual(3);
  const jobs = runs.map((run) => (run.event as { job: { taskId: string; token: string } }).job);
  expect(jobs.every((job) => job.taskId === taskId)).toBe(true);
  // Each run holds the task under a token of its own (a new lease per dispatch).
  expect(new Set(jobs.map((job) => job.token)).size).toBe(runs.length);
  const ends = await Promise.all(runs.map((run) => run.ended));
  expect(ends.map((end) => end.status)).toEqual(runs.map(() => 202));
  // The Runtime API saw the same task events, after the HTTP call; a run's deadline counts from
  // when an execution environment got it (a new one may take a while to start on a loaded machine).
  const taskInvocations = fn.invocations.filter((invocation) => isTaskEvent(invocation.event));
  expect(taskInvocations.map((invocation) => invocation.event)).toEqual(runs.map((run) => run.event));
  const deliveredAt = taskInvocations.map((invocation) => invocation.deliveredAt as number);
  for (const [i, at] of deliveredAt.entries()) {
    expect(at).toBeGreaterThanOrEqual((runs[i] as AcceptedInvocation).acceptedAt);
  }
  for (let i = 0; i + 1 < runs.length; i++) {
    const run = runs[i] as AcceptedInvocation;
    const next = runs[i + 1] as AcceptedInvocation;
    const end = ends[i] as InvocationEnd;
    // Cut by its deadline: it invoked the function again itself, no sooner than its budget and
    // before it ended, well inside the function's timeout (which never fired).
    expect(next.acceptedAt - run.acceptedAt).toBeGreaterThanOrEqual(RUN_BUDGET_MS - 50);
    expect(next.acceptedAt).toBeLessThanOrEqual(end.endedAt);
    expect(end.endedAt - (deliveredAt[i] as number)).toBeLessThan(TIMEOUT_MS);
  }
  // The last run finished the report within its budget. From scratch, no run could have (5 s of
  // sections do not fit in 3.5 s): it resumed from the checkpoint the run before it saved.
  const lastRun = runs.at(-1) as AcceptedInvocation;
  const lastEnd = ends.at(-1) as InvocationEnd;
  expect(lastRun.acceptedAt).toBeLessThanOrEqual(deliveredAt.at(-1) as number);
  expect(lastEnd.endedAt - (deliveredAt.at(-1) as number)).toBeLessThan(RUN_BUDGET_MS);

  // Consecutive runs landed on different execution environments (the one before was still busy
  // handing on), so the checkpoint went through DynamoDB.
  expect(isTaskEvent(fn.invocations[0]?.event)).toBe(false);
  for (let i = 0; i + 1 < taskInvocations.length; i++) {
    expect(taskInvocations[i]?.instance).not.toBe(taskInvocations[i + 1]?.instance);
  }

  // A later HTTP invocation reads the result the last run stored.
  expect(await get(taskId)).toMatchObject({
    status: "completed",
    result: {
      content: [{ type: "text", text: `Report ready: ${SECTIONS} sections.` }],
      structuredContent: { sections: SECTIONS },
    },
  });
  expect(isTaskEvent(fn.invocations.at(-1)?.event)).toBe(false);
  // Three HTTP invocations (the call, the poll, this tasks/get) and the runs.
  expect(fn.invocations).toHaveLength(3 + runs.length);
  // Nothing was logged as an error along the way (the RIC writes one line per log call).
  for (const ric of rics) expect(ric.output()).not.toMatch(/\tERROR\t/);
}

describe.skipIf(!ready)(`tasks: ${BUNDLE_FILE} under aws-lambda-ric`, () => {
  it("handler (buffered, HTTP API): a report spans two runs, the first cut at its deadline", async () => {
    await reportAcrossRuns("quickstart-tasks-http", "handler.handler");
  }, 30_000);

  it("streamHandler (Function URL): a report spans two runs, the first cut at its deadline", async () => {
    await reportAcrossRuns("quickstart-tasks-stream", "handler.streamHandler");
  }, 30_000);
});
