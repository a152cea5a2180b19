/**
 * The deployed bundle's observability under the official AWS Lambda runtime interface client
 * (`aws-lambda-ric`): its JSON request lines and CloudWatch Embedded Metric Format documents on
 * stdout, each carrying the invocation's `awsRequestId` and X-Ray trace id, for the buffered
 * `handler` and the streaming `streamHandler`.
 *
 * Lambda may freeze an execution environment as soon as its runtime has handed back a result and
 * asked for the next event, and thaw it only for a later invocation (or never): a line still
 * waiting in the process then reaches CloudWatch late, or not at all. So every line of an
 * invocation must be written by the time its result reaches the Runtime API. The local Runtime API
 * checks exactly that: when a result has fully arrived, and before it answers the runtime, it stops
 * the RIC's process group (SIGSTOP, as Lambda's freeze), takes what the process had written, and
 * lets it go on (SIGCONT).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toEvent } from "@portico/adapter-lambda";
import { initializeBody, jsonLogLines, legacyPost, modernPost, readSse } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_FILE, bundle } from "../scripts/bundle.ts";
import { METRICS_NAMESPACE } from "../src/config.ts";
import { splitPrelude } from "./_function-url.ts";
import { ensureRic, type RicProcess, ricSupported, startRic } from "./_ric.ts";
import { type InvocationRecord, LocalFunction } from "./_runtime-api.ts";
import {
  dependenciesReady,
  functionEnv,
  type SecretsManagerStandIn,
  type Started,
  startDynalite,
  startSecretsManager,
} from "./_stand-ins.ts";

const TABLE = "portico-quickstart-observe";
const FUNCTION_URL = "https://abcdefghijklmnop.lambda-url.us-east-1.on.aws/mcp";
const FUNCTION = "quickstart-observed";
const ready = dependenciesReady && ricSupported;

let outdir = "";
let dynamo: Started;
let secrets: SecretsManagerStandIn;
let fn: LocalFunction;
const rics: RicProcess[] = [];
/** What the instance had written when each invocation's result arrived, by request id. */
const atResult = new Map<string, string>();

/** Resolves once `ric` has written nothing for 50 ms (what a stopped process wrote is all in the pipe). */
async function quiet(ric: RicProcess): Promise<void> {
  const until = Date.now() + 2_000;
  let seen = ric.output().length;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = ric.output().length;
    if (now === seen) return;
    seen = now;
  }
}

/** The function's result arrived: freeze its process group, note what it had written, thaw it. */
async function freezeAndLook({ requestId, instance }: { requestId: string; instance: number | undefined }) {
  const ric = rics.find((r) => r.instance === instance);
  const pid = ric?.child.pid;
  if (ric === undefined || pid === undefined) return;
  process.kill(-pid, "SIGSTOP");
  try {
    await quiet(ric);
    atResult.set(requestId, ric.output());
  } finally {
    process.kill(-pid, "SIGCONT");
  }
}

/** The JSON lines (and EMF documents) that carry `requestId`, from what was written by its result. */
function linesOf(invocation: InvocationRecord | undefined): Record<string, unknown>[] {
  const requestId = invocation?.requestId as string;
  const written = atResult.get(requestId);
  expect(written, `no result seen for ${requestId}`).toBeDefined();
  return jsonLogLines(written as string).filter((line) => line.hostRequestId === requestId);
}

/** The 32-hex trace id of an X-Ray header's `Root=1-<8 hex>-<24 hex>`. */
function traceIdOf(header: string | undefined): string {
  const root = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(header ?? "");
  expect(root).not.toBeNull();
  return `${root?.[1]}${root?.[2]}`;
}

/** Invokes the function as its Function URL would, with a request; the invocation it became. */
async function invoke(request: Request) {
  const outcome = await fn.invoke(await toEvent(request, "v2"));
  const invocation = fn.invocations.find((i) => i.requestId === outcome.requestId);
  return { outcome, invocation };
}

/** The EMF document among `lines` (there is one per request), checked for its directive. */
function emfOf(lines: Record<string, unknown>[]) {
  const docs = lines.filter((l) => typeof l._aws === "object");
  expect(docs).toHaveLength(1);
  const doc = docs[0] as Record<string, unknown> & {
    _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
  };
  expect(doc._aws.Timestamp).toBeTypeOf("number");
  expect(doc._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
  return doc;
}

beforeAll(async () => {
  if (!ready) return;
  ensureRic();
  outdir = mkdtempSync(join(tmpdir(), "portico-quickstart-lambda-observe-"));
  await bundle(outdir);
  dynamo = await startDynalite(TABLE);
  secrets = await startSecretsManager();
  fn = new LocalFunction({ name: FUNCTION, timeoutMs: 60_000, onResult: freezeAndLook });
}, 360_000);

afterAll(async () => {
  if (!ready) return;
  for (const ric of rics) await ric.stop();
  await fn.close();
  await secrets.close();
  await dynamo.close();
  rmSync(outdir, { recursive: true, force: true });
});

async function start(handler: string): Promise<void> {
  rics.push(
    await startRic(fn, {
      handler,
      taskRoot: outdir,
      env: functionEnv(TABLE, dynamo.url, secrets.url),
    }),
  );
}

describe.skipIf(!ready)(`${BUNDLE_FILE} logs and metrics under aws-lambda-ric`, () => {
  describe("handler (buffered)", () => {
    beforeAll(() => start("handler.handler"));
    afterAll(async () => {
      for (const ric of rics.splice(0)) await ric.stop();
    });

    it("writes a tools/call's request line and EMF document before handing back its result", async () => {
      const call = modernPost(FUNCTION_URL, "tools/call", { name: "add", arguments: { a: 2, b: 3 } });
      const { outcome, invocation } = await invoke(call);
      expect(outcome.kind).toBe("buffered");
      const traceId = traceIdOf(invocation?.traceHeader);
      const lines = linesOf(invocation);
      const line = lines.find((l) => l.msg === "mcp request");
      expect(line).toMatchObject({
        level: "info",
        service: FUNCTION,
        method: "tools/call",
        target: "add",
        era: "modern",
        outcome: "ok",
        hostRequestId: invocation?.requestId,
        traceId,
        coldStart: true,
      });
      const doc = emfOf(lines);
      expect(doc).toMatchObject({
        Service: FUNCTION,
        Method: "tools/call",
        Target: "add",
        hostRequestId: invocation?.requestId,
        traceId,
      });
      expect(doc.Requests).toBe(1);
    });

    it("writes a legacy initialize's line with the session it opened, and its store calls' metrics", async () => {
      const before = atResult.get(fn.invocations.at(-1)?.requestId as string) ?? "";
      const { outcome, invocation } = await invoke(legacyPost(FUNCTION_URL, initializeBody(1)));
      if (outcome.kind !== "buffered") throw new Error(`expected a buffered result, got ${outcome.kind}`);
      const sessionId = (JSON.parse(outcome.payload) as { headers: Record<string, string> }).headers[
        "mcp-session-id"
      ];
      expect(sessionId).toBeTruthy();
      const lines = linesOf(invocation);
      expect(lines.find((l) => l.msg === "mcp request")).toMatchObject({
        method: "initialize",
        era: "legacy",
        sessionId,
        hostRequestId: invocation?.requestId,
        coldStart: false,
      });
      // The session was written to DynamoDB: its store calls were timed, in documents of their own
      // (by operation, without request ids) written with this invocation's.
      const written = (atResult.get(invocation?.requestId as string) as string).slice(before.length);
      const stored = jsonLogLines(written).filter((l) => "StoreLatency" in l) as {
        Operation: string;
        StoreLatency: number[];
      }[];
      expect(stored.map((d) => d.Operation)).toContain("sessions.create");
      expect(stored.every((d) => d.StoreLatency.length > 0)).toBe(true);
    });
  });

  describe("streamHandler (response streaming)", () => {
    beforeAll(() => start("handler.streamHandler"));
    afterAll(async () => {
      for (const ric of rics.splice(0)) await ric.stop();
    });

    it("writes a streamed tools/call's line and document before the stream's last byte", async () => {
      const call = modernPost(FUNCTION_URL, "tools/call", {
        name: "countdown",
        arguments: { from: 2 },
        _meta: { progressToken: "p" },
      });
      const { outcome, invocation } = await invoke(call);
      if (outcome.kind !== "streaming") throw new Error(`expected a stream, got ${outcome.kind}`);
      const { prelude, body } = await splitPrelude(outcome.body);
      expect(prelude?.statusCode).toBe(200);
      const events = [];
      for await (const event of readSse(body)) if (event.data !== "") events.push(JSON.parse(event.data));
      expect(events.at(-1)?.result?.content?.[0]?.text).toBe("Liftoff!");
      expect(await outcome.end).toEqual({ trailers: {}, complete: true });

      const lines = linesOf(invocation);
      expect(lines.find((l) => l.msg === "mcp request")).toMatchObject({
        method: "tools/call",
        target: "countdown",
        outcome: "ok",
        hostRequestId: invocation?.requestId,
        traceId: traceIdOf(invocation?.traceHeader),
      });
      expect(emfOf(lines)).toMatchObject({ Target: "countdown", hostRequestId: invocation?.requestId });
    });

    it("writes an HTTP refusal's line and document (a 403 for a foreign Origin)", async () => {
      const call = modernPost(FUNCTION_URL, "tools/list");
      call.headers.set("origin", "https://evil.example");
      const { outcome, invocation } = await invoke(call);
      if (outcome.kind !== "streaming") throw new Error(`expected a stream, got ${outcome.kind}`);
      expect((await splitPrelude(outcome.body)).prelude?.statusCode).toBe(403);
      await outcome.end;
      const lines = linesOf(invocation);
      expect(lines.find((l) => l.msg === "http request")).toMatchObject({
        level: "warn",
        status: 403,
        hostRequestId: invocation?.requestId,
      });
      expect(emfOf(lines)).toMatchObject({ Status: "403", HttpMethod: "POST" });
    });
  });
});
