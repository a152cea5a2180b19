/**
 * Counterexamples the fuzzer found, minimised and written out as plain requests against the fuzz
 * server's handler (`createFuzzHandler`, what every adapter wraps). Each is marked with the bug it
 * shows and the adapter runs it was found through. All five were fixed in packages/core while the
 * suite was being written (each test failed against the code it was found in); they now guard
 * against the bugs' return.
 */
import {
  collectSse,
  initializeBody,
  legacyDelete,
  legacyGet,
  legacyPost,
  modernPost,
  readJsonRpc,
} from "@portico/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { createFuzzHandler } from "../src/server.ts";

const URL = "http://127.0.0.1:3000/mcp";

/** The handler under test, with what it told `onError`. */
function handler() {
  const reported: string[] = [];
  const app = createFuzzHandler((error, where) => reported.push(`${where}: ${String(error)}`));
  handlers.push(app);
  return { app, reported };
}
const handlers: { close(): void }[] = [];
afterEach(() => {
  for (const app of handlers.splice(0)) app.close();
});

/** `promise`, or `"timeout"` after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  return Promise.race([
    promise,
    new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), ms)),
  ]);
}

async function openSession(app: ReturnType<typeof handler>["app"]): Promise<string> {
  const response = await app.fetch(legacyPost(URL, initializeBody(1)));
  const sessionId = response.headers.get("mcp-session-id");
  expect(response.status).toBe(200);
  if (sessionId === null) throw new Error("no session");
  return sessionId;
}

// BUG 1 — a JSON object whose "toString" member is not a function, given where a name or URI is
// expected (`params.name` of tools/call and prompts/get, `params.ref.name` / `params.ref.uri` of
// completion/complete), makes the scope check (`String(params.name)` in methods/tools.ts,
// methods/prompts.ts, methods/completion.ts) throw `TypeError: Cannot convert object to primitive
// value` before the method runs: 500 Internal error, in both eras, with or without a session
// (found through node, lambda handle, vercel and workers; the code path is the core's, shared by
// every adapter). Expected: 400/-32602 (or the era's usual invalid-params answer), never a 5xx. (modern/_mrtr.ts `targetOf` has the same
// `String(params.name ?? params.uri)` for MRTR retries.)
describe("BUG 1: a name that is an object with a non-callable toString", () => {
  it("tools/call, legacy, no session: not a 500", async () => {
    const { app, reported } = handler();
    // Found as: POST /mcp {"jsonrpc":"2.0","id":"","method":"tools/call","params":{"name":{"toString":[]},"arguments":0}}
    const response = await app.fetch(
      legacyPost(URL, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: { toString: [] } } }),
    );
    expect(response.status).toBeLessThan(500);
    expect(reported).toEqual([]);
  });

  it("tools/call, modern: not a 500", async () => {
    const { app } = handler();
    const response = await app.fetch(
      modernPost(URL, "tools/call", { name: { toString: null }, arguments: {} }, { id: 1 }),
    );
    expect(response.status).toBeLessThan(500);
  });

  it("tools/call, modern MRTR retry with a requestState: not a 500 and no internal error", async () => {
    const { app } = handler();
    const response = await app.fetch(
      modernPost(URL, "tools/call", { name: { toString: 1 }, arguments: {}, requestState: "x.y" }, { id: 1 }),
    );
    expect(response.status).toBeLessThan(500);
    const [message] = await readJsonRpc(response);
    expect(message?.error?.code).not.toBe(-32603);
  });

  it("prompts/get, modern: not a 500", async () => {
    const { app } = handler();
    const response = await app.fetch(modernPost(URL, "prompts/get", { name: { toString: 1 } }, { id: 1 }));
    expect(response.status).toBeLessThan(500);
  });

  it("completion/complete with ref.name / ref.uri objects, modern: not a 500", async () => {
    const { app } = handler();
    for (const ref of [
      { type: "ref/prompt", name: { toString: false } },
      { type: "ref/resource", uri: { toString: {} } },
    ]) {
      const response = await app.fetch(
        modernPost(URL, "completion/complete", { ref, argument: { name: "tone", value: "" } }, { id: 1 }),
      );
      expect(response.status).toBeLessThan(500);
    }
  });

  it("inside a legacy batch (2025-03-26): not a 500", async () => {
    const { app } = handler();
    const init = await app.fetch(legacyPost(URL, initializeBody(1, { protocolVersion: "2025-03-26" })));
    const sessionId = init.headers.get("mcp-session-id") ?? "";
    // Found as a batch [resources/unsubscribe, prompts/get {"name":{…,"length":…,"toString":…}}].
    const response = await app.fetch(
      legacyPost(URL, [{ jsonrpc: "2.0", id: 2, method: "prompts/get", params: { name: { toString: 0 } } }], {
        sessionId,
        protocolVersion: "2025-03-26",
      }),
    );
    expect(response.status).toBeLessThan(500);
  });
});

// BUG 2 — `subscriptions/listen` never answers when its acknowledgement is larger than the SSE
// writer's buffer (64 KB): modern/_listen.ts awaits `send("notifications/subscriptions/acknowledged",
// { notifications: filter })` before it returns the Response, and the write waits for a reader that
// only exists once the Response is returned. The honoured filter echoes `resourceSubscriptions`, so a
// ~70 KB request hangs the request forever (no status line; the listener, its bus subscription and
// the request stay in memory). Found through vercel (in process) and lambda streamHandle: "no status
// line within 15 s"; node behaves the same. Expected: the 200 SSE answer with the acknowledgement
// (or a 4xx for an oversized filter), promptly.
describe("BUG 2: subscriptions/listen with a large resourceSubscriptions filter", () => {
  it("answers within 5 s", async () => {
    const { app } = handler();
    // Found as 74 KB: {"notifications":{"promptsListChanged":true,"resourceSubscriptions":["","",…]}}
    const request = modernPost(
      URL,
      "subscriptions/listen",
      { notifications: { resourceSubscriptions: new Array(20_000).fill("docs://readme") } },
      { id: 1 },
    );
    const response = await within(app.fetch(request), 5_000);
    expect(response).not.toBe("timeout");
    if (response !== "timeout") {
      expect(response.status).toBeLessThan(500);
      await response.body?.cancel();
    }
  });

  it("answers within 5 s with an 80 KB request id (echoed in the acknowledgement's _meta)", async () => {
    const { app } = handler();
    // Found as: {"jsonrpc":"2.0","id":"😀😀😀…(80 KB)","method":"subscriptions/listen",…}
    const request = modernPost(
      URL,
      "subscriptions/listen",
      { notifications: {} },
      { id: "😀".repeat(20_000) },
    );
    const response = await within(app.fetch(request), 5_000);
    expect(response).not.toBe("timeout");
    if (response !== "timeout") await response.body?.cancel();
  });
});

// BUG 3 — resuming (GET + Last-Event-ID) a legacy stream after its last event — the call's final
// response — answers 200 text/event-stream and then sends nothing, ever: legacy/get.ts `resume`
// replays nothing and waits for a final response that was already delivered. The stream holds one
// of the session's `maxStreamsPerSession` slots while it lasts (keep-alive comments only, every
// 15 s). Through lambda streamHandle the client gets no status line at all (it goes out with the
// first byte); through vercel/node an open, silent 200. Expected: the stream ends (nothing is left
// to deliver), or a 4xx.
describe("BUG 3: resuming a stream after its final event", () => {
  it("ends instead of staying open and silent", async () => {
    const { app } = handler();
    const sessionId = await openSession(app);
    const call = await app.fetch(
      legacyPost(
        URL,
        {
          jsonrpc: "2.0",
          id: 2,
          method: "tools/call",
          params: { name: "progress", arguments: { steps: 1 }, _meta: { progressToken: 1 } },
        },
        { sessionId, protocolVersion: "2025-11-25" },
      ),
    );
    const events = await collectSse(call);
    const last = events.at(-1);
    expect(last?.data).toContain('"result"');
    const resumed = await app.fetch(
      legacyGet(URL, { sessionId, protocolVersion: "2025-11-25", lastEventId: last?.id ?? "" }),
    );
    expect(resumed.status).toBeLessThan(500);
    if (resumed.headers.get("content-type") === "text/event-stream") {
      const outcome = await collectSse(resumed, { timeoutMs: 5_000 }).then(
        () => "ended",
        (error: unknown) => String(error),
      );
      expect(outcome).toBe("ended");
    }
  });
});

// BUG 4 — a "__proto__" member in legacy session state (initialize's `capabilities` or `clientInfo`)
// becomes the prototype of the stored copy instead of a member: the in-memory session store's
// `frozenCopy` (stores/memory-session-store.ts) assigns `out[key] = …`, and for "__proto__" that
// sets the prototype — to an object it froze. A later member with a name the frozen prototype has
// then throws `TypeError: Cannot assign to read only property '…'` (strict mode): 500 Internal
// error for initialize. Without such a later member the value silently changes meaning (the
// members under "__proto__" are inherited, e.g. a capability the client did not declare as its own).
// Found through vercel (in process; the other adapters reached it only until the anonymous caller
// held `maxSessionsPerCaller` sessions, after which initialize is refused with 429 before the store).
// Expected: the stored state keeps "__proto__" as a plain member (or refuses it with 400), never 500.
describe("BUG 4: a __proto__ member in session state", () => {
  it('initialize with capabilities {"__proto__":{"x":1},"x":2} is not a 500', async () => {
    const { app, reported } = handler();
    // Found as: {"jsonrpc":"2.0","id":"0","method":"initialize","params":{"protocolVersion":"2025-03-26",
    //   "capabilities":{"yON=5f/":[…],"__proto__":{")8":[…],"":"Tj<<w1F"},…,"":…},…}}
    const body =
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",' +
      '"capabilities":{"__proto__":{"x":1},"x":2},"clientInfo":{"name":"fuzz","version":"1"}}}';
    const response = await app.fetch(legacyPost(URL, body));
    expect(response.status).toBeLessThan(500);
    expect(reported).toEqual([]);
  });

  it('a reply to a server→client request with {"__proto__":[…],"length":…} is not a 500', async () => {
    const { app, reported } = handler();
    const init = await app.fetch(
      legacyPost(
        URL,
        initializeBody(1, { capabilities: { elicitation: {} }, protocolVersion: "2025-11-25" }),
      ),
    );
    const sessionId = init.headers.get("mcp-session-id") ?? "";
    const options = { sessionId, protocolVersion: "2025-11-25" };
    const call = await app.fetch(
      legacyPost(
        URL,
        {
          jsonrpc: "2.0",
          id: 2,
          method: "tools/call",
          params: { name: "confirm", arguments: { action: "x" } },
        },
        options,
      ),
    );
    const [ask] = await readJsonRpc(call, {
      until: (m) => m.method === "elicitation/create",
      timeoutMs: 5_000,
    });
    expect(ask?.method).toBe("elicitation/create");
    // Found as a reply whose body carried {"params":{"protocolVersion":{"__proto__":[…],…,"length":…}}}.
    const reply =
      `{"jsonrpc":"2.0","id":${JSON.stringify(ask?.id)},` +
      '"result":{"action":"accept","content":{"ok":true},"__proto__":["x"],"length":1}}';
    const response = await app.fetch(legacyPost(URL, reply, options));
    expect(response.status).toBeLessThan(500);
    expect(reported).toEqual([]);
  });
});

// BUG 5 — a resumed stream (GET + Last-Event-ID of a call still waiting for a server→client reply)
// is not ended when its session is deleted: the standalone GET stream ends at once on DELETE, but
// the resumed one stays open and silent (the call's final response is never stored once the
// session is gone) until the owner-lease check gives up 15 s later, and then ends with a wrong
// explanation: {"id":null,"error":{"code":-32603,"message":"The server instance serving this
// request stopped before it finished; send the request again"}}. Found through node serve() with
// four lanes: a confirm call's stream left after its elicitation/create, a GET resuming after that
// event, and a DELETE of the session 234 ms later; the GET saw no event for 10 s. Expected: the
// resumed stream ends promptly when the session ends (as the standalone stream does).
describe("BUG 5: a resumed stream outlives its deleted session", () => {
  it("ends within 5 s of the DELETE", async () => {
    const { app } = handler();
    const init = await app.fetch(legacyPost(URL, initializeBody(1, { capabilities: { elicitation: {} } })));
    const sessionId = init.headers.get("mcp-session-id") ?? "";
    const options = { sessionId, protocolVersion: "2025-11-25" };
    const call = await app.fetch(
      legacyPost(
        URL,
        {
          jsonrpc: "2.0",
          id: 5,
          method: "tools/call",
          params: { name: "confirm", arguments: { action: "x" } },
        },
        options,
      ),
    );
    let askEventId = "";
    const events = await collectSse(call, { until: (event) => event.data.includes("elicitation/create") });
    askEventId = events.at(-1)?.id ?? "";
    expect(askEventId).not.toBe("");
    const resumed = await app.fetch(legacyGet(URL, { ...options, lastEventId: askEventId }));
    expect(resumed.status).toBe(200);
    const deleted = await app.fetch(legacyDelete(URL, options));
    expect(deleted.status).toBe(200);
    const outcome = await collectSse(resumed, { timeoutMs: 5_000 }).then(
      () => "ended",
      (error: unknown) => String(error),
    );
    expect(outcome).toBe("ended");
  });
});
