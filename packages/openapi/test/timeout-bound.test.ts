/**
 * `timeoutMs` arms a `setTimeout`, and a timer cannot wait longer than 2^31−1 ms (about 24.8 days):
 * a larger delay fires after 1 ms. Before, `timeoutMs: 3e9` was accepted and every call "timed out
 * after 3000000000 ms" at once; now `fromOpenAPI` refuses it, naming the option and the bound.
 */
import { McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromOpenAPI } from "../src/index.ts";
import { callTool, handlerOf } from "./_mcp.ts";
import { type Recorder, startRecorder } from "./_recorder.ts";

const MAX_TIMER_MS = 2_147_483_647;

let api: Recorder;
beforeAll(async () => {
  api = await startRecorder();
});
afterAll(() => api.close());

const document = {
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  paths: {
    "/ping": {
      get: {
        operationId: "ping",
        responses: {
          "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } },
        },
      },
    },
  },
};

async function convert(timeoutMs: unknown) {
  const server = new McpServer({ name: "timeouts", version: "1" });
  await fromOpenAPI(server, document, { baseUrl: api.base, timeoutMs: timeoutMs as number });
  return handlerOf(server);
}

describe("timeoutMs", () => {
  it("past 2^31−1 ms is refused when converting, naming the option and the bound", async () => {
    for (const timeoutMs of [MAX_TIMER_MS + 1, 3e9]) {
      await expect(convert(timeoutMs)).rejects.toMatchObject({
        code: "invalid_options",
        message: `fromOpenAPI: timeoutMs must be a positive number of ms, at most 2147483647 (2^31−1, about 24.8 days), not ${timeoutMs}`,
      });
    }
  });

  it("that is not a positive finite number is still refused, with the same message", async () => {
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "100"]) {
      await expect(convert(timeoutMs)).rejects.toMatchObject({
        code: "invalid_options",
        message: `fromOpenAPI: timeoutMs must be a positive number of ms, at most 2147483647 (2^31−1, about 24.8 days), not ${typeof timeoutMs === "string" ? JSON.stringify(timeoutMs) : String(timeoutMs)}`,
      });
    }
  });

  it("at the bound is accepted, and a call is not timed out at once", async () => {
    const handler = await convert(MAX_TIMER_MS);
    const result = await callTool(handler, "ping", {});
    expect(result).toEqual({
      content: [{ type: "text", text: '{"ok":true}' }],
      structuredContent: { ok: true },
    });
  });
});
