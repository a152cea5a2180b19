/**
 * Bounded input at the edge: deep or wide JSON is a 400 with a clear message before anything
 * recurses over it (stores' copies, canonical JSON of MRTR arguments), and a body that cannot be
 * read is a quiet 400, never a 500 or a logged error.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer, memoryStores } from "../src/index.ts";
import { legacySession, modernRequest, sseMessages, URL_ } from "./_client.ts";
import { ACCEPT_BOTH, initializeRequest } from "./_requests.ts";

function setup() {
  const errors: unknown[] = [];
  const server = new McpServer({ name: "limits", version: "1" });
  addTool(server, "echo", {}, (args) => JSON.stringify(args));
  const handler = createHandler(server, { onError: (e) => void errors.push(e), stores: memoryStores() });
  return { handler, errors };
}

/** `{"a":{"a":…1…}}`, `depth` objects deep, as text (JSON.stringify itself would overflow). */
const nestedText = (depth: number): string => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const nested = (depth: number): unknown => JSON.parse(nestedText(depth));

function post(body: string, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT_BOTH, ...headers },
    body,
  });
}

describe("JSON limits", () => {
  it("refuses 10,000 levels of nesting in initialize, a client reply and MRTR arguments with 400", async () => {
    const { handler, errors } = setup();
    const deep = nestedText(10_000);
    const init = await handler.fetch(
      post(
        `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":${deep},"clientInfo":{"name":"c","version":"1"}}}`,
      ),
    );
    expect(init.status).toBe(400);
    expect(await init.json()).toMatchObject({
      error: { code: -32600, message: "Invalid Request: JSON nested deeper than 64 levels" },
    });

    const session = await legacySession(handler);
    const reply = await handler.fetch(
      post(`{"jsonrpc":"2.0","id":"s-1","result":${deep}}`, { "mcp-session-id": session.sessionId }),
    );
    expect(reply.status).toBe(400);

    const modern = modernRequest("tools/call", { name: "echo", arguments: { x: 1 }, requestState: "a.b" });
    const text = (await modern.text()).replace('"arguments":{"x":1}', `"arguments":${deep}`);
    const answer = await handler.fetch(
      new Request(URL_, { method: "POST", headers: modern.headers, body: text }),
    );
    expect(answer.status).toBe(400);
    expect(errors).toEqual([]);
  });

  it("accepts nesting up to the limit, and the limit is an option", async () => {
    const { handler } = setup();
    const ok = await handler.fetch(
      modernRequest("tools/call", { name: "echo", arguments: { x: nested(55) } }),
    );
    expect(ok.status).toBe(200);
    const strict = createHandler(new McpServer({ name: "s", version: "1" }), { maxJsonDepth: 2 });
    const refused = await strict.fetch(initializeRequest(URL_, "2025-11-25"));
    expect(refused.status).toBe(400);
  });

  it("refuses an array or object with more members than maxJsonItems", async () => {
    const server = new McpServer({ name: "s", version: "1" });
    addTool(server, "echo", {}, () => "x");
    const handler = createHandler(server, { maxJsonItems: 1000 });
    const wide = await handler.fetch(
      modernRequest("tools/call", {
        name: "echo",
        arguments: { list: Array.from({ length: 1001 }, (_, i) => i) },
      }),
    );
    expect(wide.status).toBe(400);
    expect((await wide.json()).error.message).toBe(
      "Invalid Request: a JSON array has more than 1000 members",
    );
    const keys = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
    const many = await handler.fetch(modernRequest("tools/call", { name: "echo", arguments: keys }));
    expect((await many.json()).error.message).toBe(
      "Invalid Request: a JSON object has more than 1000 members",
    );
  });
});

describe("unreadable bodies", () => {
  it("answer 400 and are not reported as errors", async () => {
    const { handler, errors } = setup();
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"jsonrpc":'));
      },
      pull(controller) {
        controller.error(new Error("connection reset"));
      },
    });
    const request = new Request(URL_, {
      method: "POST",
      headers: { "content-type": "application/json", accept: ACCEPT_BOTH },
      body: broken,
      duplex: "half",
    } as RequestInit);
    const answer = await handler.fetch(request);
    expect(answer.status).toBe(400);
    expect((await answer.json()).error.message).toBe("Bad Request: the body could not be read");
    expect(errors).toEqual([]);
  });
});

describe("client replies", () => {
  it("are taken only for a server request that awaits one: made-up ids get 400 and are not stored", async () => {
    const inner = memoryStores();
    const created: string[] = [];
    const stores = {
      ...inner,
      bus: inner.bus,
      events: inner.events,
      sessions: {
        get: (k: Parameters<typeof inner.sessions.get>[0]) => inner.sessions.get(k),
        create: (k: Parameters<typeof inner.sessions.create>[0], v: never, t: number) => {
          created.push(k.kind);
          return inner.sessions.create(k, v, t);
        },
        update: (k: Parameters<typeof inner.sessions.get>[0], ver: number, v: never, t: number) =>
          inner.sessions.update(k, ver, v, t),
        delete: (k: Parameters<typeof inner.sessions.get>[0]) => inner.sessions.delete(k),
      },
    };
    const handler = createHandler(new McpServer({ name: "r", version: "1" }), { stores });
    const session = await legacySession(handler);
    const big = "x".repeat(3 * 1024 * 1024);
    for (let i = 0; i < 5; i++) {
      const answer = await session.send({ jsonrpc: "2.0", id: `made-up-${i}`, result: { big } });
      expect(answer.status).toBe(400);
      expect((await answer.json()).error.message).toBe(
        "Bad Request: no server request with this id awaits a reply in this session",
      );
    }
    expect(created.filter((kind) => kind === "reply")).toEqual([]);
  });
});

describe("bodies over maxBodyBytes", () => {
  it("are read to their end (up to 32 MB) before the 413, so the client is not reset mid-upload", async () => {
    const handler = createHandler(new McpServer({ name: "b", version: "1" }), { maxBodyBytes: 1024 });
    for (const declared of [true, false]) {
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled === 64) return controller.close();
          pulled++;
          controller.enqueue(new Uint8Array(512));
        },
      });
      const headers: Record<string, string> = { "content-type": "application/json", accept: ACCEPT_BOTH };
      if (declared) headers["content-length"] = String(64 * 512);
      const answer = await handler.fetch(
        new Request(URL_, { method: "POST", headers, body, duplex: "half" } as RequestInit),
      );
      expect(answer.status).toBe(413);
      expect(pulled, declared ? "declared length" : "chunked").toBe(64);
    }
  });
});

describe("open streams per session", () => {
  it("are capped per instance (429 + Retry-After beyond), and a closed one frees its slot", async () => {
    const handler = createHandler(new McpServer({ name: "s", version: "1" }), {
      maxStreamsPerSession: 3,
      keepAliveMs: 0,
    });
    const session = await legacySession(handler);
    const open = () =>
      handler.fetch(
        new Request(URL_, { headers: { accept: "text/event-stream", "mcp-session-id": session.sessionId } }),
      );
    const streams = [await open(), await open(), await open()];
    for (const s of streams) expect(s.status).toBe(200);
    const refused = await open();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect((await refused.json()).error.message).toMatch(/already has 3 open streams/);
    await streams[0]?.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await open();
    expect(again.status).toBe(200);
    for (const s of [...streams.slice(1), again]) await s.body?.cancel();
  });
});

describe("sessions per caller", () => {
  const init = (handler: ReturnType<typeof createHandler>, address?: string, user?: string) =>
    handler.fetch(initializeRequest(URL_, "2025-11-25"), undefined, {
      ...(address === undefined ? {} : { clientAddress: address }),
      ...(user === undefined ? {} : { authInfo: { subject: user } }),
    });

  it("caps a caller's open sessions (by address, or by principal), across instances, and frees DELETEd ones", async () => {
    const stores = memoryStores();
    const options = { stores, maxSessionsPerCaller: 2 };
    const a = createHandler(new McpServer({ name: "a", version: "1" }), options);
    const b = createHandler(new McpServer({ name: "b", version: "1" }), options);
    const first = await init(a, "203.0.113.7");
    expect(first.status).toBe(200);
    expect((await init(b, "203.0.113.7")).status).toBe(200);
    const refused = await init(a, "203.0.113.7");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect((await refused.json()).error.message).toMatch(/already holds 2 open sessions/);
    // Another address, and an authenticated principal at the same address, count apart.
    expect((await init(a, "198.51.100.1")).status).toBe(200);
    expect((await init(a, "203.0.113.7", "ann")).status).toBe(200);
    // DELETE frees a place.
    const sessionId = first.headers.get("mcp-session-id") as string;
    const deleted = await b.fetch(
      new Request(URL_, { method: "DELETE", headers: { "mcp-session-id": sessionId } }),
      undefined,
      { clientAddress: "203.0.113.7" },
    );
    expect(deleted.status).toBe(200);
    expect((await init(b, "203.0.113.7")).status).toBe(200);
  });

  it("does not count what expired, and leaves callers it cannot tell apart alone", async () => {
    let now = 5_000_000;
    const stores = memoryStores({ now: () => now });
    const handler = createHandler(new McpServer({ name: "c", version: "1" }), {
      stores,
      maxSessionsPerCaller: 1,
      sessionTtlMs: 1000,
    });
    expect((await init(handler, "192.0.2.1")).status).toBe(200);
    expect((await init(handler, "192.0.2.1")).status).toBe(429);
    now += 1500; // expired (and so is the caller's record)
    expect((await init(handler, "192.0.2.1")).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await init(handler)).status).toBe(200);
  });

  it("checks a full list against the session records: a session gone from the store frees its place", async () => {
    const stores = memoryStores();
    const handler = createHandler(new McpServer({ name: "d", version: "1" }), {
      stores,
      maxSessionsPerCaller: 1,
    });
    const first = await init(handler, "192.0.2.9");
    expect((await init(handler, "192.0.2.9")).status).toBe(429);
    // The session record disappears without a DELETE (expired in a store with its own TTL).
    await stores.sessions.delete({ kind: "session", session: first.headers.get("mcp-session-id") as string });
    expect((await init(handler, "192.0.2.9")).status).toBe(200);
  });
});

describe("server→client requests awaiting a reply", () => {
  it("are capped per session (beyond: the elicit() rejects at once, naming the option), and answered ones free their place", async () => {
    const server = new McpServer({ name: "p", version: "1" });
    const ask = (ctx: Parameters<Parameters<typeof addTool>[3]>[1], n: number) =>
      ctx.elicit({ message: `q${n}`, requestedSchema: { type: "object", properties: {} } }).then(
        (r) => `answered ${r.action}`,
        (e: Error) => `refused: ${e.message}`,
      );
    addTool(server, "three", {}, async (_args, ctx) => {
      const first = await Promise.all([ask(ctx, 1), ask(ctx, 2), ask(ctx, 3)]);
      // Both answered, so both places are free again.
      const later = await Promise.all([ask(ctx, 4), ask(ctx, 5)]);
      return [...first, ...later].join("\n");
    });
    const handler = createHandler(server, { maxPendingReplies: 2, keepAliveMs: 0 });
    const init = await handler.fetch(
      post(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-11-25",
            capabilities: { elicitation: {} },
            clientInfo: { name: "c", version: "1" },
          },
        }),
      ),
    );
    const session = init.headers.get("mcp-session-id") as string;
    const headers = { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" };
    const call = await handler.fetch(
      post(
        JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "three" } }),
        headers,
      ),
    );
    expect(call.headers.get("content-type")).toContain("text/event-stream");
    let result: { result: { content: { text: string }[] } } | undefined;
    let asked = 0;
    for await (const message of sseMessages(call)) {
      if (message.method === "elicitation/create") {
        asked++;
        const reply = await handler.fetch(
          post(JSON.stringify({ jsonrpc: "2.0", id: message.id, result: { action: "decline" } }), headers),
        );
        expect(reply.status).toBe(202);
      } else if (message.id === 2) {
        result = message as typeof result;
        break;
      }
    }
    expect(asked).toBe(4);
    expect(result?.result.content[0]?.text.split("\n")).toStrictEqual([
      "answered decline",
      "answered decline",
      "refused: Too many requests to the client await a reply in this session (maxPendingReplies 2)",
      "answered decline",
      "answered decline",
    ]);
  });
});

describe("numeric options", () => {
  it("are checked when the handler is made: NaN, negative, zero counts and strings are refused with the option's name", () => {
    const server = () => new McpServer({ name: "o", version: "1" });
    for (const [options, message] of [
      [{ maxPendingReplies: 0 }, "maxPendingReplies must be a number ≥ 1, got 0"],
      [{ sessionTtlMs: Number.NaN }, "sessionTtlMs must be a finite number ≥ 1, got NaN"],
      [
        { maxBodyBytes: "4mb" as unknown as number },
        'maxBodyBytes must be a number ≥ 1, got the string "4mb"',
      ],
      // A number read from process.env is still text: the message says so, not "got 100".
      [{ maxSessions: "100" as unknown as number }, 'maxSessions must be a number ≥ 1, got the string "100"'],
      [
        { leaseMs: "5000" as unknown as number },
        'leaseMs must be a finite number from 1 to 2147483647 ms (about 24.8 days), got the string "5000"',
      ],
      [
        { keepAliveMs: -1 },
        "keepAliveMs must be a finite number from 0 to 2147483647 ms (about 24.8 days), got -1",
      ],
    ] as const) {
      expect(() => createHandler(server(), options)).toThrow(message);
    }
    expect(() => createHandler(server(), { keepAliveMs: 0, maxSessionsPerCaller: Infinity })).not.toThrow();
  });

  it("refuses a duration a timer cannot wait (over 2^31−1 ms fires at once) or an endless one, naming the bound", () => {
    const server = () => new McpServer({ name: "o", version: "1" });
    const bound = "from 0 to 2147483647 ms (about 24.8 days)";
    for (const [options, message] of [
      [{ storeTimeoutMs: 3e9 }, `storeTimeoutMs must be a finite number ${bound}, got 3000000000`],
      [{ storeTimeoutMs: Infinity }, `storeTimeoutMs must be a finite number ${bound}, got Infinity`],
      [{ keepAliveMs: 2 ** 31 }, `keepAliveMs must be a finite number ${bound}, got 2147483648`],
      [
        { leaseMs: 1e10 },
        "leaseMs must be a finite number from 1 to 2147483647 ms (about 24.8 days), got 10000000000",
      ],
      [{ replyTimeoutMs: Infinity }, "replyTimeoutMs must be a finite number from 1 to 2147483647 ms"],
      [{ deadlineMarginMs: 1e12 }, "deadlineMarginMs must be a finite number from 0 to 2147483647 ms"],
      [{ retryMs: Infinity }, "retryMs must be a finite number from 0 to 2147483647 ms"],
      [{ sessionTtlMs: Infinity }, "sessionTtlMs must be a finite number ≥ 1, got Infinity"],
      [{ sessionMaxLifetimeMs: Infinity }, "sessionMaxLifetimeMs must be a finite number ≥ 1, got Infinity"],
      [{ requestStateTtlMs: Infinity }, "requestStateTtlMs must be a finite number ≥ 1, got Infinity"],
      [{ cache: { ttlMs: Infinity } }, "cache.ttlMs must be a finite number ≥ 0, got Infinity"],
      [{ cache: { ttlMs: -1 } }, "cache.ttlMs must be a finite number ≥ 0, got -1"],
    ] as const) {
      expect(() => createHandler(server(), options)).toThrow(message);
    }
    // The longest timer, long lifetimes, and streams that never end by age stay accepted.
    expect(() =>
      createHandler(server(), {
        storeTimeoutMs: 2_147_483_647,
        sessionTtlMs: 90 * 24 * 3_600_000,
        maxStreamMs: Infinity,
        cache: { ttlMs: 60_000 },
      }),
    ).not.toThrow();
  });

  it("a store timeout of the longest timer does not fire at once (the store answers)", async () => {
    const handler = createHandler(new McpServer({ name: "o", version: "1" }), {
      storeTimeoutMs: 2_147_483_647,
    });
    const response = await handler.fetch(initializeRequest(URL_));
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toBeTruthy();
  });
});
