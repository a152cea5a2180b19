import { describe, expect, it } from "vitest";
import {
  createHandler,
  McpServer,
  MemoryBus,
  MemoryEventStore,
  type SessionStore,
  StoreUnavailableError,
} from "../src/index.ts";
import { initializeRequest } from "./_requests.ts";

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
    const response = await handler.fetch(initializeRequest("http://127.0.0.1/mcp"));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("3");
    const body = await response.json();
    expect(body.error.code).toBe(-32603);
    expect(JSON.stringify(body)).not.toContain("backend unreachable");
    expect(reported).toHaveLength(1);
  });
});
