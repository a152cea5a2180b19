import { describe, expect, it } from "vitest";
import { digestOf } from "../src/digest.ts";
import {
  type AuditRecord,
  audit,
  IDEMPOTENCY_KEY_META,
  idempotent,
  rateLimit,
  requireApproval,
} from "../src/index.ts";
import { callTool, testServer } from "./_server.ts";

describe("audit", () => {
  it("one record per side-effect call (annotated readOnlyHint: false / destructiveHint: true), none for read-only tools", async () => {
    const records: AuditRecord[] = [];
    const { handler } = testServer({ use: [audit({ sink: (record) => void records.push(record) })] });
    await callTool(handler, "echo", {});
    await callTool(handler, "pay", { amount: 5, card: "4111" }, { subject: "alice", address: "203.0.113.9" });
    await callTool(handler, "remove", { path: "/tmp/x" });
    expect(records.map((r) => r.tool)).toEqual(["pay", "remove"]);
    const [pay] = records;
    expect(pay).toMatchObject({
      tool: "pay",
      principal: { subject: "alice", clientId: "c" },
      clientAddress: "203.0.113.9",
      era: "modern",
      jsonrpcId: 1,
      outcome: "ok",
      argumentsDigest: `sha256:${await digestOf({ card: "4111", amount: 5 })}`,
    });
    expect(JSON.stringify(pay)).not.toContain("4111");
    expect(Date.parse(pay?.at ?? "")).toBeGreaterThan(Date.now() - 10_000);
    expect(pay?.durationMs).toBeGreaterThanOrEqual(0);
    expect(records[1]?.principal).toBeNull();
  });

  it("carries what the guards decided: idempotency key and replay, approval, rate limit; and the outcomes", async () => {
    const records: AuditRecord[] = [];
    const { handler } = testServer({
      use: [
        audit({ sink: (record) => void records.push(record) }),
        rateLimit({ limit: 2, window: "hour", tools: ["pay"] }),
      ],
      payUse: [idempotent(), requireApproval({ when: (args) => args.amount === 1000 })],
    });
    const key = { _meta: { [IDEMPOTENCY_KEY_META]: "a-1" } };
    await callTool(handler, "pay", { amount: 1 }, {}, key);
    await callTool(handler, "pay", { amount: 1 }, {}, key);
    await callTool(handler, "pay", { amount: 1 });
    await callTool(handler, "remove", { path: "x" });
    expect(records.map((r) => [r.tool, r.outcome, r.idempotencyKey, r.replayed, r.rateLimited])).toEqual([
      ["pay", "ok", "a-1", undefined, undefined],
      ["pay", "ok", "a-1", true, undefined],
      ["pay", "tool_error", undefined, undefined, "2/3600000"],
      ["remove", "ok", undefined, undefined, undefined],
    ]);
    const approving = testServer({
      use: [audit({ sink: (record) => void records.push(record) })],
      payUse: [requireApproval()],
    });
    records.length = 0;
    await callTool(approving.handler, "pay", { amount: 1 });
    const asked = await callTool(approving.handler, "pay", { amount: 1 }, {}, {}, { elicitation: {} });
    const inputKey = Object.keys(asked.result.inputRequests)[0] as string;
    await callTool(
      approving.handler,
      "pay",
      { amount: 1 },
      {},
      { requestState: asked.result.requestState, inputResponses: { [inputKey]: { action: "accept" } } },
      { elicitation: {} },
    );
    expect(records.map((r) => [r.outcome, r.approval])).toEqual([
      ["tool_error", "unavailable"],
      ["input_required", undefined],
      ["ok", "approved"],
    ]);
  });

  it("tools: 'all' and named tools; a failing sink goes to onError, never to the client; default sink is the request log", async () => {
    const records: AuditRecord[] = [];
    const all = testServer({ use: [audit({ tools: "all", sink: (r) => void records.push(r) })] });
    await callTool(all.handler, "echo", {});
    expect(records.map((r) => r.tool)).toEqual(["echo"]);
    const errors: unknown[] = [];
    const failing = testServer({
      use: [audit({ sink: () => Promise.reject(new Error("audit log down")) })],
      handler: { onError: (error) => errors.push(error) },
    });
    const answer = await callTool(failing.handler, "pay", { amount: 1 });
    expect(answer.result.structuredContent).toEqual({ run: 1, era: "modern" });
    expect(String(errors[0])).toMatch(/audit log down/);
    const lines: Record<string, unknown>[] = [];
    const logged = testServer({
      use: [
        (call, next) => {
          const line = (level: string) => (message: string, fields?: Record<string, unknown>) =>
            void lines.push({ level, message, ...fields });
          const logger = {
            debug: line("debug"),
            info: line("info"),
            warn: line("warn"),
            error: line("error"),
            child: () => logger,
          };
          call.logger = logger;
          return next();
        },
        audit(),
      ],
    });
    await callTool(logged.handler, "remove", { path: "x" });
    expect(lines).toEqual([
      expect.objectContaining({
        level: "info",
        message: "audit",
        audit: true,
        tool: "remove",
        outcome: "ok",
      }),
    ]);
  });
});
