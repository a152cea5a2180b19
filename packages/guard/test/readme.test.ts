/** The README's example, as written: its module refunds once per order, after approval, audited. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { McpHandler } from "@portico/core";
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { afterAll, describe, expect, it, vi } from "vitest";

const README = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
const example = /```ts\n([\s\S]*?)```/.exec(README)?.[1] ?? "";
// Inside the package, so its imports resolve as a user's would.
const dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the README example", () => {
  it("asks, refunds once per order, replays the duplicate, and audits both", async () => {
    const file = join(dir, "server.ts");
    writeFileSync(file, example.replace('from "@portico/guard"', 'from "../../src/index.ts"'));
    const { default: handler } = (await import(file)) as { default: McpHandler };
    const caps = { clientCapabilities: { elicitation: {} } };
    const call = async (params: Record<string, unknown>) =>
      (
        await readJsonRpc(
          await handler.fetch(modernPost("http://127.0.0.1/mcp", "tools/call", params, caps), {}, {}),
        )
      ).at(-1);
    const lines: unknown[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(line));
    try {
      const asked = await call({ name: "refund", arguments: { orderId: "A-1" } });
      expect(asked?.result.resultType).toBe("input_required");
      const key = Object.keys(asked?.result.inputRequests)[0] as string;
      const approved = {
        name: "refund",
        arguments: { orderId: "A-1" },
        requestState: asked?.result.requestState,
        inputResponses: { [key]: { action: "accept" } },
      };
      expect((await call(approved))?.result.content).toEqual([{ type: "text", text: "refunded order A-1" }]);
      const duplicate = await call({ name: "refund", arguments: { orderId: "A-1" } });
      expect(duplicate?.result._meta["portico/idempotency"]).toEqual({ key: "A-1", replayed: true });
    } finally {
      log.mockRestore();
    }
    const audited = lines.map((line) => JSON.parse(String(line))).filter((line) => line.audit === true);
    expect(audited.map((line) => [line.outcome, line.approval, line.replayed])).toEqual([
      ["input_required", undefined, undefined],
      ["ok", "approved", undefined],
      ["ok", undefined, true],
    ]);
  });
});
