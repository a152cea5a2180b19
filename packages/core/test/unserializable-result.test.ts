/**
 * A result that cannot be written as JSON — a BigInt, a cycle, or nesting deeper than
 * `JSON.stringify` can go (a proxied upstream's, or a tool's own) — still gets an answer: the
 * JSON-RPC error -32603 with the request's id, in both eras, plain or streamed, and the cause goes
 * to `onError`. Before, the plain answer never came (the request hung) and a streamed one ended
 * without its final message.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpError, McpServer } from "../src/index.ts";
import { legacySession, modern, read } from "./_client.ts";

function deep(depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

const cycle: Record<string, unknown> = {};
cycle.self = cycle;

const BAD: Record<string, unknown> = {
  bigint: { n: 10n },
  cycle,
  deep: deep(20_000),
};

function server() {
  const s = new McpServer({ name: "unserializable", version: "1" });
  for (const [name, value] of Object.entries(BAD)) {
    addTool(
      s,
      name,
      {},
      async () => ({ content: [{ type: "text", text: name }], _meta: { value } }) as never,
    );
    addTool(s, `${name}-streamed`, {}, async (_args, ctx) => {
      await ctx.progress(1, 2);
      return { content: [{ type: "text", text: name }], _meta: { value } } as never;
    });
  }
  addTool(s, "error-data", {}, async () => {
    throw new McpError(-32001, "Custom failure", { n: 10n });
  });
  return s;
}

/** Fails the test if `promise` has not settled within `ms` (the defect was a request that never ends). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("a result that cannot be written as JSON", () => {
  for (const name of Object.keys(BAD)) {
    for (const streamed of [false, true]) {
      const tool = streamed ? `${name}-streamed` : name;
      it(`${tool}: answers -32603 with the request's id in both eras, and reports the cause`, async () => {
        const errors: unknown[] = [];
        const handler = createHandler(server(), { onError: (error) => errors.push(error) });
        const session = await legacySession(handler);
        const legacy = await within(
          session.call("tools/call", { name: tool, arguments: {} }, { id: 41 }),
          5_000,
        );
        expect(legacy.final).toMatchObject({ id: 41, error: { code: -32603 } });
        expect(legacy.final.error.message).toMatch(/could not be written as JSON/);
        const current = await within(
          modern(handler, "tools/call", { name: tool, arguments: {} }, { id: 42 }),
          5_000,
        );
        expect(current.final).toMatchObject({ id: 42, error: { code: -32603 } });
        // No internals: not the engine's own message.
        expect(JSON.stringify([legacy.final, current.final])).not.toMatch(/BigInt|circular|call stack/i);
        expect(errors.length).toBeGreaterThanOrEqual(2);
        // The server still answers.
        const fine = await modern(handler, "tools/list", {});
        expect(fine.final.result.tools.length).toBe(7);
      });
    }
  }

  it("answers an error whose data cannot be written as JSON without its data, in both eras", async () => {
    const errors: unknown[] = [];
    const handler = createHandler(server(), { onError: (error) => errors.push(error) });
    const session = await legacySession(handler);
    const legacy = await within(
      session.call("tools/call", { name: "error-data", arguments: {} }, { id: 7 }),
      5_000,
    );
    expect(legacy.final).toEqual({
      jsonrpc: "2.0",
      id: 7,
      error: { code: -32001, message: "Custom failure" },
    });
    const current = await within(
      modern(handler, "tools/call", { name: "error-data", arguments: {} }, { id: 8 }),
      5_000,
    );
    expect(current.final).toEqual({
      jsonrpc: "2.0",
      id: 8,
      error: { code: -32001, message: "Custom failure" },
    });
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it("answers a legacy batch (2025-03-26) whose one result cannot be written, item by item", async () => {
    const errors: unknown[] = [];
    const handler = createHandler(server(), { onError: (error) => errors.push(error) });
    const session = await legacySession(handler, "2025-03-26");
    const response = await within(
      session.send([
        { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "bigint", arguments: {} } },
        { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} },
      ]),
      5_000,
    );
    const answer = await read(response);
    const messages = answer.messages[0] as unknown as Record<string, any>[];
    expect(messages.find((m) => m.id === 1)).toMatchObject({ error: { code: -32603 } });
    expect(messages.find((m) => m.id === 2)?.result?.tools).toHaveLength(7);
    expect(errors.length).toBeGreaterThanOrEqual(1);
  });
});
