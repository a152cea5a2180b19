/**
 * A store given as a guard's own `store` option gets the deadline the handler gives its own stores
 * (`storeTimeoutMs`): one that stops answering makes the call fail with 503 + Retry-After, as
 * through the handler's stores, instead of holding the request forever.
 */
import type { RateLimitStore, SessionStore } from "@portico/core";
import { memoryStores } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_KEY_META, idempotent, rateLimit } from "../src/index.ts";
import { testServer, URL_ } from "./_server.ts";

/** A store call that never settles, counted. */
function hanging() {
  const calls = { n: 0 };
  const never = <T>(): Promise<T> => {
    calls.n++;
    return new Promise<T>(() => {});
  };
  const limits: RateLimitStore = { take: never };
  const base = memoryStores().sessions;
  const sessions: SessionStore = { ...base, get: never, create: never, update: never, delete: never };
  return { calls, limits, sessions };
}

/** The answer to one `pay` call, or "no answer" after 3 s (the handler's deadline is 100 ms). */
async function pay(handler: { fetch(request: Request): Promise<Response> }) {
  const request = modernPost(URL_, "tools/call", {
    name: "pay",
    arguments: { amount: 1 },
    _meta: { [IDEMPOTENCY_KEY_META]: "k-1" },
  });
  const answer = handler.fetch(request).then(async (response) => ({
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    body: (await response.json()) as { error?: { code: number; message: string }; result?: unknown },
  }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"no answer">((resolve) => {
    timer = setTimeout(() => resolve("no answer"), 3_000);
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("a guard's own store that stops answering", () => {
  it("rateLimit({ store }): 503 + Retry-After within the handler's storeTimeoutMs; the tool does not run", async () => {
    const store = hanging();
    const reported: unknown[] = [];
    const { handler, runs } = testServer({
      use: [rateLimit({ limit: 5, window: "minute" }, { store: store.limits })],
      handler: { storeTimeoutMs: 100, onError: (error) => void reported.push(error) },
    });
    const answer = await pay(handler);
    expect(answer).not.toBe("no answer");
    expect(answer).toMatchObject({
      status: 503,
      retryAfter: "1",
      body: {
        error: {
          code: -32603,
          message: "Service Unavailable: rate-limit storage is unreachable, retry later",
        },
      },
    });
    expect(store.calls.n).toBe(1);
    expect(runs.pay).toHaveLength(0);
    expect(reported).toHaveLength(1);
  });

  it("rateLimit({ store, failOpen }): the call runs once the deadline passes; the outage goes to onError", async () => {
    const store = hanging();
    const reported: { error: unknown; where: string }[] = [];
    const { handler, runs } = testServer({
      use: [rateLimit({ limit: 5, window: "minute" }, { store: store.limits, failOpen: true })],
      handler: { storeTimeoutMs: 100, onError: (error, where) => void reported.push({ error, where }) },
    });
    const answer = await pay(handler);
    expect(answer).toMatchObject({ status: 200 });
    expect(runs.pay).toHaveLength(1);
    expect(reported).toHaveLength(1);
    expect(reported[0]?.where).toBe("rateLimit");
    expect((reported[0]?.error as Error | undefined)?.name).toBe("StoreUnavailableError");
  });

  it("idempotent({ store }): 503 + Retry-After within the handler's storeTimeoutMs; the tool does not run", async () => {
    const store = hanging();
    const { handler, runs } = testServer({
      use: [idempotent({ store: store.sessions, keysPerCaller: false })],
      handler: { storeTimeoutMs: 100, onError: () => {} },
    });
    const answer = await pay(handler);
    expect(answer).not.toBe("no answer");
    expect(answer).toMatchObject({
      status: 503,
      retryAfter: "1",
      body: {
        error: { code: -32603, message: "Service Unavailable: session storage is unreachable, retry later" },
      },
    });
    expect(store.calls.n).toBe(1);
    expect(runs.pay).toHaveLength(0);
  });

  it("a store that answers is used as given (its results, every call)", async () => {
    const limits = memoryStores().limits as RateLimitStore;
    let takes = 0;
    const counted: RateLimitStore = {
      take: (key, bucket) => {
        takes++;
        return limits.take(key, bucket);
      },
    };
    const { handler, runs } = testServer({
      use: [rateLimit({ limit: 1, window: "minute" }, { store: counted })],
      handler: { storeTimeoutMs: 100 },
    });
    expect(await pay(handler)).toMatchObject({ status: 200 });
    const second = await pay(handler);
    expect(second).toMatchObject({ status: 200, body: { result: { isError: true } } });
    expect(takes).toBe(2);
    expect(runs.pay).toHaveLength(1);
  });
});
