/**
 * The BUILT bundle under the official AWS Lambda runtime interface client (`aws-lambda-ric`, the
 * Node.js runtime of Lambda's base images), against a local Lambda Runtime API: `handler`
 * buffered, `streamHandler` with response streaming, each RIC process one execution environment,
 * on dynalite and a stand-in Secrets Manager. Requests reach the functions as Function URL events.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toEvent } from "@portico/adapter-lambda";
import {
  initializeBody,
  initializedBody,
  jsonLogLines,
  jsonRpc,
  legacyPost,
  modernPost,
  readJsonRpc,
  readSse,
} from "@portico/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { BUNDLE_FILE, bundle } from "../scripts/bundle.ts";
import { PRELUDE_CONTENT_TYPE, serveFunctionUrl, splitPrelude } from "./_function-url.ts";
import { ensureRic, type RicProcess, ricSupported, startRic } from "./_ric.ts";
import { LocalFunction } from "./_runtime-api.ts";
import {
  dependenciesReady,
  functionEnv,
  SECRET_ARN,
  type SecretsManagerStandIn,
  type Started,
  startDynalite,
  startDynamoDbOutage,
  startSecretsManager,
} from "./_stand-ins.ts";

const TABLE = "portico-quickstart-ric";
const FUNCTION_URL = "https://abcdefghijklmnop.lambda-url.us-east-1.on.aws/mcp";
const LEGACY = "2025-11-25";

/** What the current describe block (or test) started, stopped in reverse order by stopStarted(). */
const stops: (() => Promise<void>)[] = [];
let outdir = "";
let dynamo: Started;
let secrets: SecretsManagerStandIn;

/** One function: `count` RIC processes on the bundle, and a Function URL in front of them. */
async function startFunction(name: string, handler: string, count: number, env: Record<string, string> = {}) {
  const fn = new LocalFunction({ name, timeoutMs: 60_000 });
  stops.push(() => fn.close());
  const rics: RicProcess[] = [];
  for (let i = 0; i < count; i++) {
    const ric = await startRic(fn, {
      handler,
      taskRoot: outdir,
      env: { ...functionEnv(TABLE, dynamo.url, secrets.url), ...env },
    });
    stops.push(() => ric.stop());
    rics.push(ric);
  }
  const front = await serveFunctionUrl(fn);
  stops.push(() => front.close());
  return { fn, rics, mcp: new URL("/mcp", front.url) };
}

async function stopStarted(): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop();
}

/** A legacy session: `initialize` + `notifications/initialized`; the options for the next requests. */
async function openSession(mcp: URL, capabilities: Record<string, unknown> = {}) {
  const init = await fetch(legacyPost(mcp, initializeBody(1, { capabilities })));
  expect(init.status).toBe(200);
  const [hello] = await readJsonRpc(init);
  expect(hello?.result.serverInfo.name).toBe("portico-quickstart");
  const options = { sessionId: init.headers.get("mcp-session-id") as string, protocolVersion: LEGACY };
  expect((await fetch(legacyPost(mcp, initializedBody(), options))).status).toBe(202);
  return options;
}

// The RIC builds on Linux only; there a failed install fails the test rather than skipping it.
const ready = dependenciesReady && ricSupported;

beforeAll(async () => {
  if (!ready) return;
  ensureRic();
  outdir = mkdtempSync(join(tmpdir(), "portico-quickstart-lambda-ric-"));
  await bundle(outdir);
  dynamo = await startDynalite(TABLE);
  secrets = await startSecretsManager();
}, 360_000);

afterAll(async () => {
  if (!ready) return;
  await stopStarted();
  await secrets.close();
  await dynamo.close();
  rmSync(outdir, { recursive: true, force: true });
});

describe.skipIf(!ready)(`${BUNDLE_FILE} under aws-lambda-ric`, () => {
  describe("handler (buffered, HTTP API)", () => {
    let fn: LocalFunction;
    let mcp: URL;
    let ric: RicProcess;
    let secretCallsAtStart = 0;

    beforeAll(async () => {
      secretCallsAtStart = secrets.requests.length;
      const started = await startFunction("quickstart-http", "handler.handler", 1);
      ({ fn, mcp } = started);
      ric = started.rics[0] as RicProcess;
    });
    afterAll(stopStarted);

    it("answers a modern tools/call", async () => {
      const response = await fetch(
        modernPost(mcp, "tools/call", { name: "add", arguments: { a: 20, b: 22 } }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("application/json");
      const [answer] = await readJsonRpc(response);
      expect(answer?.result).toMatchObject({ resultType: "complete", structuredContent: { sum: 42 } });
    });

    it("completes a legacy initialize + tools/call round trip (session in DynamoDB)", async () => {
      const options = await openSession(mcp);
      const call = jsonRpc(2, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
      const response = await fetch(legacyPost(mcp, call, options));
      expect(response.headers.get("content-type")).toContain("application/json");
      const [answer] = await readJsonRpc(response);
      expect(answer?.result.structuredContent).toEqual({ sum: 3 });
    });

    it("returns the adapter's result to the Runtime API, and reuses the warm instance", async () => {
      const event = await toEvent(
        modernPost(FUNCTION_URL, "tools/call", { name: "add", arguments: { a: 2, b: 3 } }),
        "v2",
      );
      const first = await fn.invoke(event);
      const second = await fn.invoke(event);
      for (const outcome of [first, second]) {
        if (outcome.kind !== "buffered") throw new Error(`expected a buffered answer, got ${outcome.kind}`);
        const result = JSON.parse(outcome.payload);
        expect(result).toMatchObject({ statusCode: 200, headers: { "content-type": "application/json" } });
        expect(JSON.parse(result.body).result.structuredContent).toEqual({ sum: 5 });
      }
      expect(first.requestId).not.toBe(second.requestId);
      // One execution environment served everything, and its init (secret fetch) ran once.
      expect(new Set(fn.invocations.map((i) => i.instance))).toEqual(new Set([ric.instance]));
      expect(ric.running()).toBe(true);
      expect(secrets.requests.slice(secretCallsAtStart)).toEqual([{ SecretId: SECRET_ARN }]);
    });

    it("answers a malformed event with 400", async () => {
      const outcome = await fn.invoke({ hello: "world" });
      if (outcome.kind !== "buffered") throw new Error(`expected a buffered answer, got ${outcome.kind}`);
      const result = JSON.parse(outcome.payload);
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body).error.code).toBeTypeOf("number");
    });
  });

  describe("streamHandler (response streaming, Function URL)", () => {
    let fn: LocalFunction;
    let mcp: URL;

    beforeAll(async () => {
      // Two execution environments: one request can wait in one while another is served.
      ({ fn, mcp } = await startFunction("quickstart-stream", "handler.streamHandler", 2));
    });
    afterAll(stopStarted);

    it("streams progress: the prelude, then the SSE events, and a clean end", async () => {
      const call = modernPost(FUNCTION_URL, "tools/call", {
        name: "countdown",
        arguments: { from: 3 },
        _meta: { progressToken: "p" },
      });
      const outcome = await fn.invoke(await toEvent(call, "v2"));
      if (outcome.kind !== "streaming") throw new Error(`expected a stream, got ${outcome.kind}`);
      expect(outcome.responseMode).toBe("streaming");
      expect(outcome.contentType).toBe(PRELUDE_CONTENT_TYPE);

      const { prelude, body } = await splitPrelude(outcome.body);
      expect(prelude?.statusCode).toBe(200);
      expect(prelude?.headers?.["content-type"]).toContain("text/event-stream");
      expect(prelude?.headers).not.toHaveProperty("content-length");

      const messages = [];
      for await (const event of readSse(body)) if (event.data !== "") messages.push(JSON.parse(event.data));
      expect(
        messages.filter((m) => m.method === "notifications/progress").map((m) => m.params.progress),
      ).toEqual([1, 2, 3]);
      expect(messages.at(-1)?.result).toMatchObject({ content: [{ type: "text", text: "Liftoff!" }] });
      // The runtime ended the chunked body itself, without error trailers.
      expect(await outcome.end).toEqual({ trailers: {}, complete: true });
    });

    it("delivers an SSE event while the tool is still running", async () => {
      const options = await openSession(mcp, { elicitation: {} });
      const call = await fetch(
        legacyPost(mcp, jsonRpc(2, "tools/call", { name: "greet", arguments: {} }), options),
      );
      expect(call.status).toBe(200);
      expect(call.headers.get("content-type")).toContain("text/event-stream");
      const served = fn.invocations.length;

      const events = readSse(call);
      const messages = [];
      for await (const event of events) {
        if (event.data === "") continue;
        const message = JSON.parse(event.data);
        messages.push(message);
        if (message.method === "elicitation/create") {
          // The tool waits for this answer: the event reached us before the tool could finish.
          const reply = {
            jsonrpc: "2.0",
            id: message.id,
            result: { action: "accept", content: { name: "Ada" } },
          };
          expect((await fetch(legacyPost(mcp, reply, options))).status).toBe(202);
        }
      }
      expect(messages.map((m) => m.method ?? "result")).toEqual(["elicitation/create", "result"]);
      expect(messages[1].result.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
      // The reply was a second invocation, served by the other execution environment.
      const [waiting, replying] = fn.invocations.slice(served - 1);
      expect(replying?.instance).not.toBe(waiting?.instance);
    });

    it("answers a malformed event with a 400 prelude", async () => {
      const outcome = await fn.invoke({ hello: "world" });
      if (outcome.kind !== "streaming") throw new Error(`expected a stream, got ${outcome.kind}`);
      const { prelude, body } = await splitPrelude(outcome.body);
      expect(prelude?.statusCode).toBe(400);
      expect(JSON.parse(await new Response(body).text()).error.code).toBeTypeOf("number");
      expect((await outcome.end).complete).toBe(true);
    });
  });

  describe("failures", () => {
    afterEach(stopStarted);

    it("fails before the first byte with a real 503 when the table is unreachable", async () => {
      // A DynamoDB endpoint that answers 500 to everything: the store retries, then gives up.
      const broken = await startDynamoDbOutage();
      stops.push(() => broken.close());
      const { fn, mcp, rics } = await startFunction("quickstart-outage", "handler.streamHandler", 1, {
        AWS_ENDPOINT_URL_DYNAMODB: broken.url,
      });
      const response = await fetch(legacyPost(mcp, initializeBody(1)));
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
      const [answer] = await readJsonRpc(response);
      expect(answer?.error?.code).toBe(-32603);
      // The app's error line (JSON, from @portico/observe) carries the invocation's awsRequestId and
      // names the request that failed, with the store's error (its stack stays in the log).
      // stdout is a pipe of its own, so wait for the line rather than race it against the response.
      const requestId = fn.invocations.at(-1)?.requestId as string;
      const errorLine = () =>
        jsonLogLines(rics[0]?.output() ?? "").find(
          (line) => line.hostRequestId === requestId && line.msg === "unhandled error",
        );
      await vi.waitFor(() => expect(errorLine()).toBeDefined(), { timeout: 5_000 });
      expect(errorLine()).toMatchObject({ where: "initialize", method: "initialize" });
    });

    it("answers 502 when the init fails (the secret is missing)", async () => {
      const { fn, mcp, rics } = await startFunction("quickstart-bad-init", "handler.handler", 1, {
        SECRET_ARN: `${SECRET_ARN}-missing`,
      });
      const response = await fetch(modernPost(mcp, "tools/list"));
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ errorType: "Error", phase: "init" });
      expect(fn.invocations.at(-1)?.instance).toBeUndefined();
      await vi.waitFor(() => expect(rics[0]?.output()).toContain("ResourceNotFoundException"), {
        timeout: 5_000,
      });
    });
  });
});
