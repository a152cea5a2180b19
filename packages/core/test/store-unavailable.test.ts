import { describe, expect, it } from "vitest";
import {
  createHandler,
  McpServer,
  MemoryBus,
  MemoryEventStore,
  type SessionStore,
  StoreUnavailableError,
} from "../src/index.ts";

const down = (): never => {
  throw new StoreUnavailableError("backend unreachable", { retryAfterSeconds: 3 });
};
const unavailable: SessionStore = {
  get: async () => down(),
  create: async () => down(),
  update: async () => down(),
  delete: async () => down(),
};

describe("an unavailable store", () => {
  it("answers 503 with Retry-After and a JSON-RPC error, reported server-side without leaking details", async () => {
    const reported: unknown[] = [];
    const handler = createHandler(new McpServer({ name: "t", version: "1" }), {
      stores: { sessions: unavailable, events: new MemoryEventStore(), bus: new MemoryBus() },
      onError: (error) => reported.push(error),
    });
    const response = await handler.fetch(
      new Request("http://127.0.0.1/mcp", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-11-25",
            capabilities: {},
            clientInfo: { name: "c", version: "1" },
          },
        }),
      }),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("3");
    const body = await response.json();
    expect(body.error.code).toBe(-32603);
    expect(JSON.stringify(body)).not.toContain("backend unreachable");
    expect(reported).toHaveLength(1);
  });
});
