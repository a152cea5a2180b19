/**
 * An approval the user never answers (2025 era: the `elicitation/create` reply does not come within
 * `replyTimeoutMs`) is refused as a cancelled one — "did not approve … Nothing was done." — and
 * audited so, not answered "Internal error" and reported as a crash.
 */
import type { McpHandler } from "@portico/core";
import { initializeBody, initializedBody, jsonRpc, legacyPost, readJsonRpc } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { type AuditRecord, audit, requireApproval } from "../src/index.ts";
import { testServer, URL_ } from "./_server.ts";

const VERSION = "2025-11-25";

/** A legacy session of a client that can elicit; returns a function that posts one message in it. */
async function legacySession(handler: McpHandler) {
  const init = await handler.fetch(
    legacyPost(URL_, initializeBody(0, { capabilities: { elicitation: {} } })),
  );
  const sessionId = init.headers.get("mcp-session-id") as string;
  await init.text();
  await (
    await handler.fetch(legacyPost(URL_, initializedBody(), { sessionId, protocolVersion: VERSION }))
  ).text();
  return (body: unknown) => handler.fetch(legacyPost(URL_, body, { sessionId, protocolVersion: VERSION }));
}

describe("an approval never answered (legacy era)", () => {
  it("is refused as not approved after replyTimeoutMs, audited as cancelled; nothing reported, nothing run", async () => {
    const records: AuditRecord[] = [];
    const reported: unknown[] = [];
    const { handler, runs } = testServer({
      use: [audit({ tools: "all", sink: (record) => void records.push(record) }), requireApproval()],
      handler: { replyTimeoutMs: 200, onError: (error) => void reported.push(error) },
    });
    const post = await legacySession(handler);
    const response = await post(jsonRpc(1, "tools/call", { name: "pay", arguments: { amount: 1 } }));
    const messages = await readJsonRpc(response);
    expect(messages.some((m) => (m as { method?: string }).method === "elicitation/create")).toBe(true);
    const final = messages.at(-1) as { id: number; error?: unknown; result?: Record<string, any> };
    expect(final.id).toBe(1);
    expect(final.error).toBeUndefined();
    expect(final.result).toMatchObject({
      isError: true,
      content: [{ type: "text", text: 'The user did not approve "pay". Nothing was done.' }],
      _meta: { "portico/approval": "cancelled" },
    });
    expect(runs.pay).toHaveLength(0);
    expect(records.map((r) => [r.outcome, r.approval])).toStrictEqual([["tool_error", "cancelled"]]);
    expect(reported).toStrictEqual([]);
  });
});
