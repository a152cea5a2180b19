/**
 * When long-lived streams end: maxStreamMs, the host's deadline, the host's shutdown signal, and
 * the request's own signal (the client left, where a host says so there: Bun, Deno, in process).
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, type HandlerOptions, McpServer } from "../src/index.ts";
import { initializeRequest, listenRequest as listenTo } from "./_requests.ts";

const URL_ = "http://127.0.0.1:3000/mcp";

function handler(options: HandlerOptions = {}) {
  const server = new McpServer({ name: "t", version: "1.0.0" });
  addTool(server, "noop", { description: "No-op" }, () => "ok");
  return createHandler(server, options);
}

function listenRequest(): Request {
  return listenTo(URL_, { toolsListChanged: true });
}

/** The data lines of an SSE body that has ended, parsed. */
function messages(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line.length > 6)
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
}

function expectCompleted(text: string) {
  const all = messages(text);
  expect(all[0]).toMatchObject({ method: "notifications/subscriptions/acknowledged" });
  expect(all.at(-1)).toMatchObject({ id: "sub-1", result: { resultType: "complete" } });
}

describe("subscriptions/listen ends", () => {
  it("after maxStreamMs, with a final result and a retry hint for the client to listen again", async () => {
    const res = await handler({ maxStreamMs: 100, retryMs: 250 }).fetch(listenRequest());
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    expectCompleted(text);
    expect(text).toMatch(/^retry: 250$/m);
  });

  it("at the host's deadline minus the margin", async () => {
    const ctx = { deadline: Date.now() + 1_150 };
    const res = await handler({ deadlineMarginMs: 1_000 }).fetch(listenRequest(), undefined, ctx);
    expectCompleted(await res.text());
  });

  it("when the caller's token expires (at the earliest a second after it opened)", async () => {
    const started = Date.now();
    const authInfo = { subject: "u", token: "t", expiresAt: (started + 1_300) / 1000 };
    const res = await handler().fetch(listenRequest(), undefined, { authInfo });
    const text = await readToEnd(res, 5_000);
    expect(text).not.toBe("still open");
    expectCompleted(text);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_200);
    // A token already past its expiry (an authenticator's leeway) still gets a second, not a loop.
    const late = Date.now();
    const stale = { subject: "u", token: "t", expiresAt: (late - 5_000) / 1000 };
    expectCompleted(
      await readToEnd(await handler().fetch(listenRequest(), undefined, { authInfo: stale }), 5_000),
    );
    expect(Date.now() - late).toBeGreaterThanOrEqual(900);
  });

  it("not at once for a token valid for months (beyond a timer's range)", async () => {
    const shutdown = new AbortController();
    const authInfo = { subject: "u", token: "t", expiresAt: Date.now() / 1000 + 40 * 86_400 };
    const started = Date.now();
    const res = await handler().fetch(listenRequest(), undefined, { authInfo, signal: shutdown.signal });
    setTimeout(() => shutdown.abort(), 200);
    expectCompleted(await readToEnd(res, 5_000));
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("when the host's shutdown signal aborts", async () => {
    const shutdown = new AbortController();
    const res = await handler().fetch(listenRequest(), undefined, { signal: shutdown.signal });
    setTimeout(() => shutdown.abort(), 50);
    expectCompleted(await res.text());
  });
});

/** The stream's body, read to its end: what it said, or "still open" after `ms` (never expected). */
async function readToEnd(res: Response, ms = 10_000): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("still open"), ms);
  });
  try {
    return await Promise.race([res.text(), open]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `request` with `signal` as its own signal. Not `new Request(request, { signal })`: Node's Request
 * follows a given signal through a weak reference to its own controller, so after a garbage
 * collection the abort may never reach it (the test would then fail on the platform, not the core).
 */
function withSignal(request: Request, signal: AbortSignal): Request {
  return Object.defineProperty(request, "signal", { value: signal });
}

describe("a long stream ends when the request's signal aborts", () => {
  it("subscriptions/listen: no final result (nobody is there), and the caller's place comes back", async () => {
    const h = handler({ maxListenStreamsPerCaller: 1 });
    const ctx = { clientAddress: "192.0.2.7" };
    const left = new AbortController();
    const res = await h.fetch(withSignal(listenRequest(), left.signal), undefined, ctx);
    expect(res.status).toBe(200);
    setTimeout(() => left.abort(), 50);
    const text = await readToEnd(res);
    expect(text).not.toBe("still open");
    const all = messages(text);
    expect(all[0]).toMatchObject({ method: "notifications/subscriptions/acknowledged" });
    expect(all.some((m) => m.id === "sub-1")).toBe(false);
    // the one place this caller may hold was given back
    const again = await h.fetch(listenRequest(), undefined, ctx);
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });

  it("subscriptions/listen whose request was already aborted ends at once", async () => {
    const left = new AbortController();
    left.abort();
    const res = await handler().fetch(withSignal(listenRequest(), left.signal));
    expect(await readToEnd(res)).not.toBe("still open");
  });

  it("the legacy GET stream", async () => {
    const h = handler();
    const init = await h.fetch(initializeRequest(URL_));
    const sessionId = init.headers.get("mcp-session-id") as string;
    const left = new AbortController();
    const get = new Request(URL_, {
      headers: {
        accept: "text/event-stream",
        "mcp-session-id": sessionId,
        "mcp-protocol-version": "2025-11-25",
      },
    });
    const res = await h.fetch(withSignal(get, left.signal));
    expect(res.status).toBe(200);
    setTimeout(() => left.abort(), 50);
    expect(await readToEnd(res)).not.toBe("still open");
  });
});

describe("the legacy GET stream ends", () => {
  async function sessionOf(h: ReturnType<typeof handler>): Promise<string> {
    const init = await h.fetch(initializeRequest(URL_));
    return init.headers.get("mcp-session-id") as string;
  }

  it("after maxStreamMs, with a retry hint for the client to come back", async () => {
    const h = handler({ maxStreamMs: 100, retryMs: 250 });
    const sessionId = await sessionOf(h);
    const res = await h.fetch(
      new Request(URL_, {
        headers: {
          accept: "text/event-stream",
          "mcp-session-id": sessionId,
          "mcp-protocol-version": "2025-11-25",
        },
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^retry: 250$/m);
  });
});
