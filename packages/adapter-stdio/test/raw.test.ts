/**
 * The stdio framing from the outside: the fixture as a child process, fed raw lines on stdin. Bad
 * input gets its JSON-RPC error and the server carries on; nothing but JSON lines reaches stdout;
 * the end of stdin ends the process, also with a tool running.
 */
import { afterEach, describe, expect, it } from "vitest";
import { killGroup, type RawServer, startRaw, step } from "./_helpers.ts";

const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: {
    protocolVersion: "2025-11-25",
    capabilities: { elicitation: {} },
    clientInfo: { name: "raw", version: "1" },
  },
});
const MODERN_META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
};

function request(id: number | string, method: string, params: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: "2.0", id, method, params });
}

function modern(id: number | string, method: string, params: Record<string, unknown> = {}): string {
  return request(id, method, { ...params, _meta: MODERN_META });
}

const idIs = (id: unknown) => (m: Record<string, unknown>) => m.id === id;

let server: RawServer | undefined;

afterEach(() => {
  killGroup(server?.child);
  server = undefined;
});

/** Every stdout line is one JSON-RPC 2.0 object. */
function expectOnlyJsonRpc(raw: RawServer): void {
  expect(raw.lines.length).toBeGreaterThan(0);
  for (const line of raw.lines) {
    const message = JSON.parse(line) as Record<string, unknown>;
    expect(message.jsonrpc).toBe("2.0");
  }
}

describe("raw stdio", () => {
  it("answers a line that is not JSON with a parse error (id null) and carries on", async () => {
    server = startRaw();
    server.send("this is not json");
    const error = await server.next((m) => m.id === null, "the parse error");
    expect(error).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: expect.any(String) } });
    server.send(INIT);
    const init = await server.next(idIs(0), "the initialize result");
    expect(init.result).toMatchObject({ protocolVersion: "2025-11-25" });
    expectOnlyJsonRpc(server);
  });

  it("answers JSON that is not a JSON-RPC message with -32600, keeping a usable id", async () => {
    server = startRaw();
    server.send('{"jsonrpc":"2.0","id":7}');
    server.send('{"hello":"world"}');
    server.send("[]");
    expect((await server.next(idIs(7), "the error for id 7")).error).toMatchObject({ code: -32600 });
    const nulls = [
      await server.next((m) => m.id === null, "the first error"),
      await server.next((m) => m.id === null, "the second error"),
    ];
    for (const e of nulls) expect(e.error).toMatchObject({ code: -32600 });
    expectOnlyJsonRpc(server);
  });

  it("answers a batch of entries that are no JSON-RPC message (no request in it) with an error, id null", async () => {
    server = startRaw();
    // Before initialize: the handler's refusal goes out.
    server.send('[1,{"foo":1}]');
    expect((await server.next((m) => m.id === null, "the refusal before initialize")).error).toMatchObject({
      code: expect.any(Number),
    });
    server.send(INIT);
    await server.next(idIs(0), "the initialize result");
    // A batch of notifications alone is answered with nothing (JSON-RPC 2.0); one with a
    // non-message in it gets an error: batches are refused at 2025-11-25.
    server.send('[{"jsonrpc":"2.0","method":"notifications/initialized"}]');
    server.send('[{"jsonrpc":"2.0","method":"notifications/initialized"},5]');
    const refused = await server.next((m) => m.id === null, "the error for the mixed batch");
    expect(refused.error).toMatchObject({ code: -32600, message: expect.stringMatching(/Batches/) });
    server.send(request(9, "ping"));
    await server.next(idIs(9), "the ping answer");
    // Only those three answers: none for the notifications-only batch.
    expect(server.lines.map((line) => (JSON.parse(line) as { id: unknown }).id)).toEqual([null, 0, null, 9]);
    expectOnlyJsonRpc(server);
  });

  it("discards an over-long line with an error, without holding it, and carries on", async () => {
    server = startRaw({ STDIO_MAX_LINE_BYTES: "4096" });
    // Sent in pieces: the limit is enforced before the line ends.
    const long = request(1, "tools/list", { padding: "x".repeat(64 * 1024) });
    for (let i = 0; i < long.length; i += 8192) server.child.stdin?.write(long.slice(i, i + 8192));
    server.send("");
    const error = await server.next((m) => m.id === null, "the over-long error");
    expect(error.error).toMatchObject({ code: -32600, message: expect.stringContaining("4096") });
    server.send(INIT);
    expect((await server.next(idIs(0), "the initialize result")).result).toBeDefined();
    expect(server.lines).toHaveLength(2);
    expectOnlyJsonRpc(server);
  });

  it("answers a legacy request before initialize with the handler's error, under the request's id", async () => {
    server = startRaw();
    server.send(request("early", "tools/list"));
    const error = await server.next(idIs("early"), "the error");
    expect(error.error).toMatchObject({ code: -32000, message: expect.stringContaining("Mcp-Session-Id") });
  });

  it("serves 2026-07-28 requests statelessly, learning x-mcp-header marks when needed", async () => {
    server = startRaw();
    server.send(modern(1, "server/discover"));
    const discover = await server.next(idIs(1), "the discover result");
    expect(discover.result).toMatchObject({ supportedVersions: ["2026-07-28"], resultType: "complete" });
    // No tools/list first: the adapter learns the tool's marks itself and sends the call again.
    server.send(modern(2, "tools/call", { name: "region", arguments: { region: "ap-south-1" } }));
    const call = await server.next(idIs(2), "the region result");
    expect(call.result).toMatchObject({
      content: [{ type: "text", text: "region ap-south-1 (header ap-south-1)" }],
    });
    server.send(
      request(3, "tools/call", {
        name: "add",
        arguments: { a: 1, b: 2 },
        _meta: { ...MODERN_META, "io.modelcontextprotocol/protocolVersion": "2099-01-01" },
      }),
    );
    const refused = await server.next(idIs(3), "the unsupported-version error");
    expect(refused.error).toMatchObject({ code: -32022, data: { supported: ["2026-07-28"] } });
    expectOnlyJsonRpc(server);
  });

  it("answers a one-shot pipe: requests followed at once by the end of stdin", async () => {
    server = startRaw();
    server.send(modern(1, "tools/call", { name: "add", arguments: { a: 20, b: 22 } }));
    server.send(modern(2, "tools/call", { name: "slow", arguments: { ms: 100 } }));
    server.child.stdin?.end();
    expect((await server.next(idIs(1), "the add result")).result).toMatchObject({
      structuredContent: { sum: 42 },
    });
    expect((await server.next(idIs(2), "the slow result")).result).toMatchObject({
      content: [{ type: "text", text: "waited 100 ms" }],
    });
    expect(await step("the exit", server.exited)).toEqual({ code: 0, signal: null });
  });

  it("exits promptly at the end of stdin with a tool in flight, aborting it", async () => {
    server = startRaw();
    server.send(INIT);
    await server.next(idIs(0), "the initialize result");
    server.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    server.send(request(1, "tools/call", { name: "slow", arguments: { ms: 60_000 } }));
    const raw = server;
    await step(
      "the slow tool to start",
      poll(() => raw.stderr().includes("[fixture] slow started")),
    );
    const started = Date.now();
    server.child.stdin?.end();
    expect(await step("the exit", server.exited, 5000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(server.stderr()).toContain("[fixture] slow aborted");
    expect(server.lines.every((line) => line.startsWith("{"))).toBe(true);
  });

  it("holds legacy messages sent right behind initialize until its session exists", async () => {
    server = startRaw();
    // Back to back, as a script piping a whole conversation would write them.
    server.send(
      [
        INIT,
        '{"jsonrpc":"2.0","method":"notifications/initialized"}',
        request(1, "tools/call", { name: "add", arguments: { a: 5, b: 6 } }),
      ].join("\n"),
    );
    expect((await server.next(idIs(1), "the add result")).result).toMatchObject({
      structuredContent: { sum: 11 },
    });
    expect(server.stderr()).not.toContain("refused");
    server.send(request(2, "tools/call", { name: "grow", arguments: {} }));
    await server.next((m) => m.method === "notifications/tools/list_changed", "list_changed");
    expectOnlyJsonRpc(server);
  });

  it("renews a 2025 session that expired while the client was idle, and answers the request", async () => {
    server = startRaw({ STDIO_SESSION_TTL_MS: "300" });
    server.send(INIT);
    await server.next(idIs(0), "the initialize result");
    server.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    await new Promise((resolve) => setTimeout(resolve, 700));
    server.send(request(1, "tools/call", { name: "add", arguments: { a: 1, b: 2 } }));
    expect((await server.next(idIs(1), "the add result")).result).toMatchObject({
      structuredContent: { sum: 3 },
    });
    expect(server.stderr()).toContain("a new one was initialized");
    // The renewed session's stream works: a tool added now is announced.
    server.send(request(2, "tools/call", { name: "grow", arguments: {} }));
    await server.next((m) => m.method === "notifications/tools/list_changed", "list_changed");
    expectOnlyJsonRpc(server);
  });

  it("serves a plain fetch app (real Requests and streamed Responses) the same way", async () => {
    server = startRaw({ STDIO_PLAIN_FETCH: "1" });
    server.send(INIT);
    await server.next(idIs(0), "the initialize result");
    server.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    server.send(
      request(1, "tools/call", { name: "countdown", arguments: { from: 2 }, _meta: { progressToken: "p" } }),
    );
    const progress = await server.next(
      (m) => m.method === "notifications/progress",
      "a progress notification",
    );
    expect(progress.params).toMatchObject({ progressToken: "p", progress: 1, total: 2 });
    expect((await server.next(idIs(1), "the countdown result")).result).toMatchObject({
      content: [{ type: "text", text: "done" }],
    });
    server.send(request(2, "tools/call", { name: "greet", arguments: {} }));
    const ask = await server.next((m) => m.method === "elicitation/create", "the elicitation request");
    server.send(
      JSON.stringify({ jsonrpc: "2.0", id: ask.id, result: { action: "accept", content: { name: "Bo" } } }),
    );
    expect((await server.next(idIs(2), "the greet result")).result).toMatchObject({
      content: [{ type: "text", text: "Hello, Bo!" }],
    });
    server.child.stdin?.end();
    expect(await step("the exit", server.exited)).toEqual({ code: 0, signal: null });
    expectOnlyJsonRpc(server);
  });
});

function poll(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const look = () => (check() ? resolve() : setTimeout(look, 20));
    look();
  });
}
