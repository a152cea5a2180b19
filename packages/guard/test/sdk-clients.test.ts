/**
 * The guards with the real SDK clients over HTTP (adapter-node on 127.0.0.1, a free port): SDK v1
 * (2025 era, a legacy session: approval is an `elicitation/create` request over the stream) and
 * SDK v2 pinned to 2026-07-28 (approval is an `input_required` round trip the client answers and
 * retries by itself). Idempotency and rate limits answer both alike.
 */
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { type Server, serve } from "@portico/adapter-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  IDEMPOTENCY_KEY_META,
  IDEMPOTENCY_META,
  idempotent,
  RATE_LIMIT_META,
  rateLimit,
  requireApproval,
} from "../src/index.ts";
import { testServer } from "./_server.ts";

type Answer = { action: "accept" | "decline"; content?: Record<string, string> };

describe("guards with the real SDK clients", () => {
  const { server, handler, runs } = testServer({
    use: [rateLimit({ limit: 3, window: "hour", tools: ["echo"] })],
    payUse: [idempotent(), requireApproval()],
  });
  let http: Server;
  let endpoint: URL;
  const asked: string[] = [];
  let answer: Answer = { action: "accept", content: {} };
  let v1: ClientV1;
  let v2: ClientV2;

  beforeAll(async () => {
    http = await serve(handler, { port: 0, hostname: "127.0.0.1" });
    endpoint = new URL(`${http.url}/mcp`);
    v1 = new ClientV1({ name: "guard-v1", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    v1.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(`v1:${request.params.message}`);
      return answer;
    });
    await v1.connect(new TransportV1(endpoint));
    v2 = new ClientV2(
      { name: "guard-v2", version: "1.0.0" },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    v2.setRequestHandler("elicitation/create", async (request) => {
      asked.push(`v2:${(request.params as { message: string }).message}`);
      return answer;
    });
    await v2.connect(new TransportV2(endpoint));
  });

  afterAll(async () => {
    await v1?.close();
    await v2?.close();
    await http?.close();
    await handler.close?.();
  });

  it("approval: both clients are asked; accept runs the tool, decline runs nothing", async () => {
    expect(server).toBeDefined();
    answer = { action: "accept", content: {} };
    const legacy = await v1.callTool({ name: "pay", arguments: { amount: 1 } });
    expect(legacy.structuredContent).toEqual({ run: 1, era: "legacy" });
    const modern = await v2.callTool({ name: "pay", arguments: { amount: 2 } });
    expect(modern.structuredContent).toEqual({ run: 2, era: "modern" });
    expect(asked).toEqual([
      'v1:Allow "Pay an invoice" to run with these arguments?\n{"amount":1}',
      'v2:Allow "Pay an invoice" to run with these arguments?\n{"amount":2}',
    ]);
    answer = { action: "decline" };
    for (const client of [v1, v2]) {
      const declined = await client.callTool({ name: "pay", arguments: { amount: 3 } });
      expect(declined.isError).toBe(true);
    }
    expect(runs.pay.map((a) => a.amount)).toEqual([1, 2]);
  });

  it("idempotency: a client-sent key replays the stored result, not asking again", async () => {
    answer = { action: "accept", content: {} };
    const meta = { [IDEMPOTENCY_KEY_META]: "sdk-key-1" };
    const first = await v1.callTool({ name: "pay", arguments: { amount: 9 }, _meta: meta });
    const before = asked.length;
    const again = await v2.callTool({ name: "pay", arguments: { amount: 9 }, _meta: meta });
    expect(again.structuredContent).toEqual(first.structuredContent);
    expect((again._meta as Record<string, unknown>)[IDEMPOTENCY_META]).toEqual({
      key: "sdk-key-1",
      replayed: true,
    });
    expect(asked.length).toBe(before);
  });

  it("rate limit: the fourth echo of the same caller is a tool error the client surfaces, with the hint", async () => {
    // Both clients are the same anonymous caller (127.0.0.1).
    const answers = [];
    for (let i = 0; i < 2; i += 1) answers.push(await v1.callTool({ name: "echo", arguments: {} }));
    answers.push(await v2.callTool({ name: "echo", arguments: {} }));
    const limited = await v2.callTool({ name: "echo", arguments: {} });
    expect(answers.map((a) => a.isError ?? false)).toEqual([false, false, false]);
    expect(limited.isError).toBe(true);
    expect((limited._meta as Record<string, any>)[RATE_LIMIT_META].retryAfterMs).toBeGreaterThan(0);
    const listed = await v1.listTools();
    expect(
      ((listed.tools.find((t) => t.name === "echo")?._meta ?? {}) as Record<string, any>)[RATE_LIMIT_META],
    ).toEqual([{ limit: 3, windowMs: 3_600_000, burst: 3, by: "caller", bucket: "tool" }]);
  });
});
