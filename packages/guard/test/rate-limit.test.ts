import {
  addPrompt,
  addResource,
  addResourceTemplate,
  addTool,
  createHandler,
  McpServer,
  MemoryRateLimitStore,
  memoryStores,
  PorticoError,
  type RateLimitStore,
} from "@portico/core";
import { initializeBody, legacyPost, modernPost } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { RATE_LIMIT_META, RATE_LIMITED, rateLimit } from "../src/index.ts";
import { callTool, modern, testServer, URL_ } from "./_server.ts";

describe("rateLimit", () => {
  it("admits `limit` calls per caller, then answers a tool error with the retry hint; other callers have their own bucket", async () => {
    const { handler, runs } = testServer({
      use: [rateLimit({ limit: 3, window: "minute", tools: ["pay"] })],
    });
    const alice = { subject: "alice" };
    for (let i = 0; i < 3; i += 1) {
      const answer = await callTool(handler, "pay", { amount: i }, alice);
      expect(answer.result.isError).toBeUndefined();
    }
    const limited = await callTool(handler, "pay", { amount: 9 }, alice);
    expect(limited.result.isError).toBe(true);
    expect(limited.result.content[0].text).toMatch(
      /^Rate limit reached for tool "pay" \(3 calls per minute\)\. Try again in \d+ s\.$/,
    );
    const facts = limited.result._meta[RATE_LIMIT_META];
    expect(facts).toMatchObject({ limit: 3, windowMs: 60_000, burst: 3, remaining: 0 });
    expect(facts.retryAfterMs).toBeGreaterThan(19_000);
    expect(facts.retryAfterMs).toBeLessThanOrEqual(20_000);
    expect(runs.pay).toHaveLength(3);
    // Bob is another principal; echo is not covered by the rule.
    expect(
      (await callTool(handler, "pay", { amount: 1 }, { subject: "bob" })).result.isError,
    ).toBeUndefined();
    for (let i = 0; i < 5; i += 1)
      expect((await callTool(handler, "echo", {}, alice)).result.isError).toBeUndefined();
  });

  it("tells anonymous callers apart by client address, and all unaddressed anonymous callers share one bucket", async () => {
    const { handler } = testServer({ use: [rateLimit({ limit: 1, window: "hour" })] });
    expect((await callTool(handler, "pay", {}, { address: "198.51.100.1" })).result.isError).toBeUndefined();
    expect((await callTool(handler, "pay", {}, { address: "198.51.100.1" })).result.isError).toBe(true);
    expect((await callTool(handler, "pay", {}, { address: "198.51.100.2" })).result.isError).toBeUndefined();
    expect((await callTool(handler, "pay", {})).result.isError).toBeUndefined();
    expect((await callTool(handler, "pay", {})).result.isError).toBe(true);
    // An authenticated caller at a limited address is still its own principal.
    expect(
      (await callTool(handler, "pay", {}, { subject: "carol", address: "198.51.100.1" })).result.isError,
    ).toBeUndefined();
  });

  it("per tool by default; `bucket: shared` counts every covered tool together; `by: everyone` counts all callers together", async () => {
    const perTool = testServer({ use: [rateLimit({ limit: 1, window: "hour" })] });
    expect((await callTool(perTool.handler, "pay", {})).result.isError).toBeUndefined();
    expect((await callTool(perTool.handler, "echo", {})).result.isError).toBeUndefined();
    const shared = testServer({ use: [rateLimit({ limit: 1, window: "hour", bucket: "shared" })] });
    expect((await callTool(shared.handler, "pay", {})).result.isError).toBeUndefined();
    expect((await callTool(shared.handler, "echo", {})).result.isError).toBe(true);
    const everyone = testServer({ use: [rateLimit({ limit: 2, window: "hour", by: "everyone" })] });
    expect((await callTool(everyone.handler, "pay", {}, { subject: "a" })).result.isError).toBeUndefined();
    expect((await callTool(everyone.handler, "pay", {}, { subject: "b" })).result.isError).toBeUndefined();
    expect((await callTool(everyone.handler, "pay", {}, { subject: "c" })).result.isError).toBe(true);
  });

  it("a rule in a tool's own `use` limits that tool only; every rule covering a call must admit it", async () => {
    const { handler } = testServer({
      use: [rateLimit({ limit: 5, window: "hour", bucket: "shared", name: "overall" })],
      payUse: [rateLimit({ limit: 1, window: "hour" })],
    });
    expect((await callTool(handler, "pay", {})).result.isError).toBeUndefined();
    const second = await callTool(handler, "pay", {});
    expect(second.result._meta[RATE_LIMIT_META].limit).toBe(1);
    for (let i = 0; i < 3; i += 1)
      expect((await callTool(handler, "echo", {})).result.isError).toBeUndefined();
    // The shared rule has now counted 5 (pay twice, echo three times).
    const sixth = await callTool(handler, "echo", {});
    expect(sixth.result._meta[RATE_LIMIT_META].limit).toBe(5);
  });

  it("methods other than tools/call answer the JSON-RPC error RATE_LIMITED with the facts in data", async () => {
    const { handler } = testServer({
      use: [rateLimit({ limit: 1, window: "hour", methods: ["resources/read"] })],
    });
    const first = await modern(handler, "resources/read", { uri: "note://a" });
    expect(first.result?.contents, JSON.stringify(first)).toHaveLength(1);
    const limited = await modern(handler, "resources/read", { uri: "note://a" });
    expect(limited.error).toMatchObject({
      code: RATE_LIMITED,
      data: { limit: 1, windowMs: 3_600_000, remaining: 0 },
    });
    // An application code: outside the JSON-RPC reserved range, where 2026-07-28 reserves
    // -32020…-32099 for the codes MCP defines (implementations must not emit others there).
    expect(limited.error?.code).toBe(-31029);
    expect(limited.error?.message).toMatch(/^Rate limit reached \(1 call per hour\); retry after \d+ s$/);
    // tools/call is not covered by this rule.
    expect((await callTool(handler, "pay", {})).result.isError).toBeUndefined();
    expect((await callTool(handler, "pay", {})).result.isError).toBeUndefined();
  });

  it("tools/list shows each covered tool's limits in _meta, without changing the definitions", async () => {
    const { handler } = testServer({
      use: [
        rateLimit({ limit: 10, window: "minute", tools: ["pay"], burst: 2 }),
        rateLimit({ limit: 100, window: "day", by: "everyone", bucket: "shared" }),
      ],
    });
    const listed = await modern(handler, "tools/list", {});
    const byName = Object.fromEntries(
      listed.result.tools.map((t: any) => [t.name, t._meta?.[RATE_LIMIT_META]]),
    );
    expect(byName.pay).toEqual([
      { limit: 10, windowMs: 60_000, burst: 2, by: "caller", bucket: "tool" },
      { limit: 100, windowMs: 86_400_000, burst: 100, by: "everyone", bucket: "shared" },
    ]);
    expect(byName.echo).toEqual([
      { limit: 100, windowMs: 86_400_000, burst: 100, by: "everyone", bucket: "shared" },
    ]);
    const again = await modern(handler, "tools/list", {});
    expect(again.result.tools.find((t: any) => t.name === "pay")._meta[RATE_LIMIT_META]).toHaveLength(2);
    const quiet = testServer({ use: [rateLimit({ limit: 1, window: "hour" }, { advertise: false })] });
    const plain = await modern(quiet.handler, "tools/list", {});
    expect(plain.result.tools.every((t: any) => t._meta?.[RATE_LIMIT_META] === undefined)).toBe(true);
  });

  // Defect: tools/list returned before any rule was checked, so a rule with `methods: "*"` (documented
  // "lists included") or naming "tools/list" never limited it: a client could list without end.
  it("a rule covering tools/list limits it too (and still advertises)", async () => {
    const { handler } = testServer({ use: [rateLimit({ limit: 2, window: "hour", methods: "*" })] });
    for (let i = 0; i < 2; i += 1) {
      const listed = await modern(handler, "tools/list", {});
      expect(listed.result.tools.find((t: any) => t.name === "pay")._meta[RATE_LIMIT_META]).toHaveLength(1);
    }
    const limited = await modern(handler, "tools/list", {});
    expect(limited.error).toMatchObject({ code: RATE_LIMITED, data: { limit: 2, remaining: 0 } });
    const named = testServer({ use: [rateLimit({ limit: 1, window: "hour", methods: ["tools/list"] })] });
    expect((await modern(named.handler, "tools/list", {})).result.tools).toBeDefined();
    expect((await modern(named.handler, "tools/list", {})).error?.code).toBe(RATE_LIMITED);
    expect((await callTool(named.handler, "pay", {})).result.isError).toBeUndefined();
  });

  it("a rule covering initialize limits opening legacy sessions per caller: 429 + Retry-After, and the refused one opens none", async () => {
    const { handler } = testServer({
      use: [rateLimit({ limit: 2, window: "hour", methods: ["initialize"] })],
    });
    const open = (address: string) =>
      handler.fetch(legacyPost(URL_, initializeBody(1)), undefined, { clientAddress: address });
    for (let i = 0; i < 2; i += 1) {
      const opened = await open("198.51.100.20");
      expect(opened.status).toBe(200);
      expect(opened.headers.get("mcp-session-id")).toBeTruthy();
    }
    const limited = await open("198.51.100.20");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("mcp-session-id")).toBeNull();
    expect((await limited.json()).error).toMatchObject({
      code: RATE_LIMITED,
      data: { limit: 2, remaining: 0 },
    });
    // Another caller opens its own; calls are not covered by the rule.
    expect((await open("198.51.100.21")).status).toBe(200);
    for (let i = 0; i < 3; i += 1)
      expect((await callTool(handler, "pay", {})).result.isError).toBeUndefined();
  });

  it("a rule covering subscriptions/listen refuses the caller's next stream with 429 + Retry-After, before any stream opens", async () => {
    const { handler } = testServer({
      use: [rateLimit({ limit: 1, window: "hour", methods: ["subscriptions/listen"] })],
    });
    const listen = () =>
      handler.fetch(
        modernPost(URL_, "subscriptions/listen", { notifications: { toolsListChanged: true } }, { id: "l" }),
        undefined,
        { clientAddress: "198.51.100.30" },
      );
    const opened = await listen();
    expect(opened.status).toBe(200);
    expect(opened.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await opened.body?.cancel();
    const limited = await listen();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.headers.get("content-type")).toMatch(/^application\/json/);
    expect((await limited.json()).error).toMatchObject({
      code: RATE_LIMITED,
      data: { limit: 1, remaining: 0 },
    });
  });

  it("refills: a limited caller is admitted again once retryAfterMs has passed", async () => {
    let now = 1_000_000;
    const stores = { ...memoryStores(), limits: new MemoryRateLimitStore({ now: () => now }) };
    const { handler } = testServer({ stores, use: [rateLimit({ limit: 2, window: "second" })] });
    await callTool(handler, "pay", {});
    await callTool(handler, "pay", {});
    const limited = await callTool(handler, "pay", {});
    expect(limited.result._meta[RATE_LIMIT_META].retryAfterMs).toBe(500);
    now += 499;
    expect((await callTool(handler, "pay", {})).result.isError).toBe(true);
    now += 1;
    expect((await callTool(handler, "pay", {})).result.isError).toBeUndefined();
  });

  it("cost weighs calls; a store failure answers 503 unless failOpen", async () => {
    const weighed = testServer({
      use: [
        rateLimit({
          limit: 10,
          window: "hour",
          cost: (call) => ((call.params.arguments as any)?.amount > 100 ? 5 : 1),
        }),
      ],
    });
    expect((await callTool(weighed.handler, "pay", { amount: 500 })).result.isError).toBeUndefined();
    expect((await callTool(weighed.handler, "pay", { amount: 500 })).result.isError).toBeUndefined();
    expect((await callTool(weighed.handler, "pay", { amount: 1 })).result.isError).toBe(true);

    const broken = {
      async take(): Promise<never> {
        const { StoreUnavailableError } = await import("@portico/core");
        throw new StoreUnavailableError("limits down");
      },
    };
    const errors: unknown[] = [];
    const closed = testServer({ use: [rateLimit({ limit: 1, window: "hour" }, { store: broken })] });
    const { modernPost } = await import("@portico/test-kit");
    const response = await closed.handler.fetch(
      modernPost("http://127.0.0.1/mcp", "tools/call", { name: "pay", arguments: {} }),
      {},
      {},
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(closed.runs.pay).toHaveLength(0);
    const open = testServer({
      use: [rateLimit({ limit: 1, window: "hour" }, { store: broken, failOpen: true })],
      handler: { onError: (error) => errors.push(error) },
    });
    expect((await callTool(open.handler, "pay", {})).result.isError).toBeUndefined();
    expect(open.runs.pay).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });

  it("fails fast on a malformed rule, and clearly without a store that has limits", async () => {
    expect(() => rateLimit({ limit: 0, window: "minute" })).toThrow(PorticoError);
    expect(() => rateLimit({ limit: 1, window: "fortnight" as never })).toThrow(/window must be/);
    expect(() => rateLimit({ limit: 1, window: -5 })).toThrow(/window must be/);
    expect(() => rateLimit({ limit: 2, window: "minute", burst: 1.5 })).toThrow(/burst/);
    expect(() => rateLimit([])).toThrow(/at least one rule/);
    const { sessions, events, bus } = memoryStores();
    const errors: unknown[] = [];
    const { handler } = testServer({
      stores: { sessions, events, bus },
      use: [rateLimit({ limit: 1, window: "hour" })],
      handler: { onError: (error) => errors.push(error) },
    });
    const answer = await callTool(handler, "pay", {});
    expect(answer.error?.code).toBe(-32603);
    expect(answer.error?.message).not.toMatch(/limits/);
    expect(String(errors[0])).toMatch(/no `limits`/);
  });

  it("buckets only what the server has: made-up tool, prompt and resource names share one bucket; a template's URIs share its own", async () => {
    const limits = new MemoryRateLimitStore();
    const buckets = new Set<string>();
    const store: RateLimitStore = {
      take: (key, bucket) => {
        buckets.add(key.id ?? "");
        return limits.take(key, bucket);
      },
    };
    const server = new McpServer({ name: "named", version: "1" });
    server.use(rateLimit({ limit: 1_000, window: "day", methods: "*" }, { store }));
    addTool(server, "real", {}, () => "ok");
    addPrompt(server, "greet", {}, () => ({
      messages: [{ role: "user", content: { type: "text", text: "hello" } }],
    }));
    addResource(server, "note://a", { name: "a" }, () => [{ uri: "note://a", text: "a" }]);
    addResourceTemplate(server, "notes://{id}", { name: "notes" }, (uri) => [{ uri, text: uri }]);
    const handler = createHandler(server, { stores: memoryStores(), allowedHosts: ["127.0.0.1"] });
    const from = { address: "198.51.100.7" };
    for (let i = 0; i < 20; i++) {
      expect((await callTool(handler, `made-up-${i}`, {}, from)).error?.message).toMatch(/Unknown tool/);
      expect((await modern(handler, "prompts/get", { name: `made-up-${i}` }, from)).error?.code).toBe(-32602);
      expect((await modern(handler, "resources/read", { uri: `nope://${i}` }, from)).error?.code).toBe(
        -32602,
      );
      expect((await modern(handler, "resources/read", { uri: `notes://${i}` }, from)).result).toBeDefined();
    }
    for (const name of ["real", "real"])
      expect((await callTool(handler, name, {}, from)).result).toBeDefined();
    expect((await modern(handler, "prompts/get", { name: "greet" }, from)).result).toBeDefined();
    expect((await modern(handler, "resources/read", { uri: "note://a" }, from)).result).toBeDefined();
    const rule = "1000-86400000-1000";
    expect([...buckets].sort()).toEqual(
      ["", "greet", "note://a", "notes://{id}", "real"]
        .map((what) => `${rule}|${what}|a.198.51.100.7`)
        .sort(),
    );
  });

  it("made-up names are still limited, together", async () => {
    const { handler } = testServer({ use: [rateLimit({ limit: 3, window: "hour" })] });
    for (let i = 0; i < 3; i++) expect((await callTool(handler, `nope-${i}`, {})).error?.code).toBe(-32602);
    const limited = await callTool(handler, "nope-3", {});
    expect(limited.result.isError).toBe(true);
    expect(limited.result._meta[RATE_LIMIT_META]).toMatchObject({ limit: 3, remaining: 0 });
    // The server's own tools keep their buckets.
    expect((await callTool(handler, "pay", {})).result.isError).toBeUndefined();
  });
});
