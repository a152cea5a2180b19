/**
 * `timeout`: a request whose handler has not settled by its deadline is answered JSON-RPC -32001
 * "Request timed out" in both eras (also after progress was streamed), its handler's `ctx.signal`
 * aborted with a `TimeoutError`; a request that settles first is untouched and leaves no timer.
 */
import {
  addResource,
  addTool,
  createHandler,
  type McpCall,
  type McpHandler,
  McpServer,
  type Middleware,
  memoryStores,
} from "@portico/core";
import {
  addAskingTool,
  askingCall,
  initializeBody,
  initializedBody,
  type JsonRpcMessage,
  jsonRpc,
  legacyPost,
  modernPost,
  readJsonRpc,
} from "@portico/test-kit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type AuditRecord, audit, idempotent, timeout } from "../src/index.ts";
import { URL_ } from "./_server.ts";

const LEGACY = "2025-11-25";
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const handlers: McpHandler[] = [];
afterEach(() => {
  for (const handler of handlers.splice(0)) handler.close();
  vi.restoreAllMocks();
});

/** The unhandled promise rejections of the running test. */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});

/** What the test server's handlers saw. */
interface Seen {
  /** The reasons `hang`'s signal was aborted with. */
  reasons: unknown[];
  /** The signals of `fast`'s runs. */
  fastSignals: AbortSignal[];
}

/**
 * A server with `use` (outermost first), then `inner`, and the tools: `hang` (never settles, records
 * its signal's abort reason), `progress-then-hang`, `slow` (`{ ms }`), `fast`, `late` (answered by
 * `inner`), `ask` (elicits); and resource `slow://r` (150 ms).
 */
function timedServer(use: Middleware[], inner: Middleware[] = []): { handler: McpHandler; seen: Seen } {
  const seen: Seen = { reasons: [], fastSignals: [] };
  const server = new McpServer({ name: "timed", version: "1.0.0" });
  server.use(...use, ...inner);
  addTool(
    server,
    "hang",
    {},
    (_args: Record<string, unknown>, ctx) =>
      new Promise<string>(() => {
        ctx.signal.addEventListener("abort", () => void seen.reasons.push(ctx.signal.reason), { once: true });
      }),
  );
  addTool(server, "progress-then-hang", {}, async (_args: Record<string, unknown>, ctx) => {
    await ctx.progress(1, 2, "half way");
    return new Promise<string>(() => {});
  });
  addTool(server, "slow", {}, async (args: Record<string, unknown>) => {
    await sleep(args.ms as number);
    return `slept ${args.ms} ms`;
  });
  addTool(server, "fast", {}, (_args: Record<string, unknown>, ctx) => {
    seen.fastSignals.push(ctx.signal);
    return "fast";
  });
  addTool(server, "late", {}, () => "never reached: `inner` answers for it");
  addAskingTool(server);
  addResource(server, "slow://r", { name: "slow" }, async () => {
    await sleep(150);
    return { contents: [{ uri: "slow://r", text: "finally" }] };
  });
  const handler = createHandler(server, {
    stores: memoryStores(),
    secret: "guard-tests-secret-with-enough-bytes",
    allowedHosts: ["127.0.0.1"],
  });
  handlers.push(handler);
  return { handler, seen };
}

/** `answer`, or a failure after 3 s (a request left without an answer). */
function within<T>(answer: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer within 3 s")), 3000);
  });
  return Promise.race([answer, guard]).finally(() => clearTimeout(timer));
}

/** Every JSON-RPC message of one modern-era request's answer. */
async function modernMessages(handler: McpHandler, method: string, params: Record<string, unknown>) {
  return within(handler.fetch(modernPost(URL_, method, params), {}, {}).then((r) => readJsonRpc(r)));
}

/** A legacy session (2025-11-25); returns a function giving every message of one request's answer. */
async function legacySession(handler: McpHandler) {
  const init = await handler.fetch(legacyPost(URL_, initializeBody(0)));
  const sessionId = init.headers.get("mcp-session-id") as string;
  await init.text();
  await (
    await handler.fetch(legacyPost(URL_, initializedBody(), { sessionId, protocolVersion: LEGACY }))
  ).text();
  let id = 0;
  return async (method: string, params: Record<string, unknown>): Promise<JsonRpcMessage[]> => {
    id += 1;
    const body = jsonRpc(id, method, params);
    const post = legacyPost(URL_, body, { sessionId, protocolVersion: LEGACY });
    return within(handler.fetch(post).then((r) => readJsonRpc(r)));
  };
}

/** The messages of one request in `era`. */
async function messagesOf(
  handler: McpHandler,
  era: "modern" | "legacy",
  method: string,
  params: Record<string, unknown>,
): Promise<JsonRpcMessage[]> {
  if (era === "modern") return modernMessages(handler, method, params);
  return (await legacySession(handler))(method, params);
}

/** The last message of one request in `era`: its answer. */
async function answerOf(
  handler: McpHandler,
  era: "modern" | "legacy",
  method: string,
  params: Record<string, unknown>,
): Promise<JsonRpcMessage> {
  const last = (await messagesOf(handler, era, method, params)).at(-1);
  if (last === undefined) throw new Error("no answer");
  return last;
}

const timedOut = (ms: number) => ({ code: -32001, message: "Request timed out", data: { timeoutMs: ms } });

describe("timeout", () => {
  for (const era of ["modern", "legacy"] as const) {
    it(`answers a handler that never settles -32001 and aborts its signal with a TimeoutError (${era})`, async () => {
      const { handler, seen } = timedServer([timeout({ ms: 50 })]);
      const answer = await answerOf(handler, era, "tools/call", { name: "hang", arguments: {} });
      expect(answer.result).toBeUndefined();
      expect(answer.error).toStrictEqual(timedOut(50));
      expect(seen.reasons).toHaveLength(1);
      const reason = seen.reasons[0] as DOMException;
      expect(reason).toBeInstanceOf(DOMException);
      expect(reason.name).toBe("TimeoutError");
      expect(reason.message).toBe("The request timed out after 50 ms");
    });

    it(`ends a streamed answer (progress sent, then a hang) with the -32001 error (${era})`, async () => {
      const { handler } = timedServer([timeout({ ms: 150 })]);
      const messages = await messagesOf(handler, era, "tools/call", {
        name: "progress-then-hang",
        arguments: {},
        _meta: { progressToken: "p1" },
      });
      expect(messages[0]).toMatchObject({
        method: "notifications/progress",
        params: { progressToken: "p1", progress: 1, total: 2 },
      });
      const last = messages.at(-1) as JsonRpcMessage;
      expect(last.id).toBe(1);
      expect(last.error).toStrictEqual(timedOut(150));
    });
  }

  it("answers a fast tool as usual, clears its unref'd timer, and never aborts it afterwards", async () => {
    const started = vi.spyOn(globalThis, "setTimeout");
    const cleared = vi.spyOn(globalThis, "clearTimeout");
    const { handler, seen } = timedServer([timeout({ ms: 4321 })]);
    const answer = await answerOf(handler, "modern", "tools/call", { name: "fast", arguments: {} });
    expect(answer.result.content).toStrictEqual([{ type: "text", text: "fast" }]);
    const ours = started.mock.calls.flatMap((args, i) =>
      args[1] === 4321 ? [started.mock.results[i]?.value as NodeJS.Timeout] : [],
    );
    expect(ours).toHaveLength(1);
    expect(ours[0]?.hasRef()).toBe(false);
    expect(cleared).toHaveBeenCalledWith(ours[0]);

    // Behaviourally: a deadline passed after a fast answer aborts nothing.
    const short = timedServer([timeout({ ms: 200 })]);
    await answerOf(short.handler, "legacy", "tools/call", { name: "fast", arguments: {} });
    await sleep(300);
    expect(short.seen.fastSignals).toHaveLength(1);
    expect(short.seen.fastSignals[0]?.aborted).toBe(false);
    expect(seen.fastSignals[0]?.aborted).toBe(false);
  });

  it("a tool's own longer deadline lets it finish; a shorter one cuts it", async () => {
    const longer = timedServer([timeout({ ms: 40, tools: { slow: 2000 } })]);
    const finished = await answerOf(longer.handler, "modern", "tools/call", {
      name: "slow",
      arguments: { ms: 150 },
    });
    expect(finished.result.content).toStrictEqual([{ type: "text", text: "slept 150 ms" }]);
    // Tools without their own deadline keep the default.
    expect(
      (await answerOf(longer.handler, "modern", "tools/call", { name: "hang", arguments: {} })).error,
    ).toStrictEqual(timedOut(40));

    const shorter = timedServer([timeout({ ms: 2000, tools: { slow: 40 } })]);
    const cut = await answerOf(shorter.handler, "legacy", "tools/call", {
      name: "slow",
      arguments: { ms: 300 },
    });
    expect(cut.error).toStrictEqual(timedOut(40));
    // The rest keep the default (a 150 ms read).
    const read = await answerOf(shorter.handler, "legacy", "resources/read", { uri: "slow://r" });
    expect(read.result.contents).toStrictEqual([{ uri: "slow://r", text: "finally" }]);
  });

  it("`methods` limits which methods it wraps", async () => {
    const { handler } = timedServer([timeout({ ms: 40, methods: ["resources/read"] })]);
    const tool = await answerOf(handler, "modern", "tools/call", { name: "slow", arguments: { ms: 150 } });
    expect(tool.result.content).toStrictEqual([{ type: "text", text: "slept 150 ms" }]);
    const read = await answerOf(handler, "modern", "resources/read", { uri: "slow://r" });
    expect(read.error).toStrictEqual(timedOut(40));
  });

  it("without `methods`, wraps every request (a resource read too)", async () => {
    const { handler } = timedServer([timeout({ ms: 40 })]);
    expect((await answerOf(handler, "legacy", "resources/read", { uri: "slow://r" })).error).toStrictEqual(
      timedOut(40),
    );
  });

  it("a timed-out request's late rejection is no unhandled rejection", async () => {
    const reported: unknown[] = [];
    const late: Middleware = async (call, next) => {
      if (call.target !== "late") return next();
      await sleep(150);
      throw new Error("failed after its deadline");
    };
    const { handler } = timedServer(
      [
        async (_call, next) => {
          try {
            return await next();
          } catch (error) {
            reported.push(error);
            throw error;
          }
        },
        timeout({ ms: 20 }),
      ],
      [late],
    );
    const answer = await answerOf(handler, "modern", "tools/call", { name: "late", arguments: {} });
    expect(answer.error).toStrictEqual(timedOut(20));
    await sleep(250);
    expect(unhandled).toStrictEqual([]);
    // What the outer middleware saw was the timeout, never the late failure.
    expect(reported.map((error) => (error as Error).message)).toStrictEqual(["Request timed out"]);
  });

  it("lets the modern era's input-required round through unchanged (not a timeout)", async () => {
    const started = vi.spyOn(globalThis, "setTimeout");
    const cleared = vi.spyOn(globalThis, "clearTimeout");
    const { handler } = timedServer([timeout({ ms: 4322 })]);
    const answer = (await within(handler.fetch(askingCall(URL_), {}, {}).then((r) => readJsonRpc(r)))).at(-1);
    expect(answer?.error).toBeUndefined();
    expect(answer?.result.resultType).toBe("input_required");
    const ours = started.mock.calls.flatMap((args, i) =>
      args[1] === 4322 ? [started.mock.results[i]?.value] : [],
    );
    expect(ours).toHaveLength(1);
    expect(cleared).toHaveBeenCalledWith(ours[0]);
  });

  it("in the documented order, `audit` records the timeout and `idempotent` keeps the key of the running call", async () => {
    const records: AuditRecord[] = [];
    const { handler, seen } = timedServer([
      audit({ tools: "all", sink: (record) => void records.push(record) }),
      timeout({ ms: 40 }),
      idempotent({ key: (args) => args.orderId as string, waitMs: 50 }),
    ]);
    const call = { name: "hang", arguments: { orderId: "A-1" } };
    expect((await answerOf(handler, "modern", "tools/call", call)).error).toStrictEqual(timedOut(40));
    expect(records.map((record) => record.outcome)).toStrictEqual(["error"]);
    // The handler may still be running: a retry with the same key does not run it again.
    const retry = await answerOf(handler, "modern", "tools/call", call);
    expect(retry.result.isError).toBe(true);
    expect(retry.result.content[0].text).toMatch(/still in progress/);
    expect(seen.reasons).toHaveLength(1);
  });

  it("does not apply to a task's background run", async () => {
    const abort = vi.fn();
    const call = { method: "tools/call", target: "slow", inTask: true, abort } as unknown as McpCall;
    const result = await timeout({ ms: 10 })(call, async () => {
      await sleep(60);
      return { content: [] };
    });
    expect(result).toStrictEqual({ content: [] });
    expect(abort).not.toHaveBeenCalled();
  });

  it("passes on a `next()` that throws at once, and its deadline then aborts nothing", async () => {
    const abort = vi.fn();
    const call = { method: "tools/list", target: undefined, inTask: false, abort } as unknown as McpCall;
    const thrown = new Error("thrown at once");
    await expect(
      Promise.resolve(
        timeout({ ms: 20 })(call, () => {
          throw thrown;
        }),
      ),
    ).rejects.toBe(thrown);
    await sleep(60);
    expect(abort).not.toHaveBeenCalled();
  });

  it("refuses invalid options at construction, naming the option", () => {
    const bad: [unknown, ErrorConstructor, RegExp][] = [
      [{}, TypeError, /timeout: `ms` must be a number/],
      [{ ms: "100" }, TypeError, /timeout: `ms` must be a number/],
      [
        { ms: 0 },
        RangeError,
        /timeout: `ms` must be a whole number of milliseconds from 1 to 2147483647 \(got 0\)/,
      ],
      [{ ms: -5 }, RangeError, /`ms`.*\(got -5\)/],
      [{ ms: 1.5 }, RangeError, /`ms`.*\(got 1\.5\)/],
      [{ ms: Number.NaN }, RangeError, /`ms`.*\(got NaN\)/],
      [{ ms: Number.POSITIVE_INFINITY }, RangeError, /`ms`.*\(got Infinity\)/],
      [{ ms: 2_147_483_648 }, RangeError, /`ms`.*\(got 2147483648\)/],
      [{ ms: 100, tools: { slow: 0 } }, RangeError, /timeout: `tools\["slow"\]` must be a whole number/],
      [{ ms: 100, tools: { slow: "5" } }, TypeError, /timeout: `tools\["slow"\]` must be a number/],
      [{ ms: 100, tools: [] }, TypeError, /timeout: `tools` must be an object/],
      [{ ms: 100, methods: "tools/call" }, TypeError, /timeout: `methods` must be an array of method names/],
      [{ ms: 100, methods: [1] }, TypeError, /timeout: `methods` must be an array of method names/],
    ];
    for (const [options, type, message] of bad) {
      const make = () => timeout(options as Parameters<typeof timeout>[0]);
      expect(make, JSON.stringify(options)).toThrow(type);
      expect(make, JSON.stringify(options)).toThrow(message);
    }
    expect(() => timeout({ ms: 2_147_483_647, tools: { a: 1 }, methods: [] })).not.toThrow();
  });
});
