/**
 * A Last-Event-ID whose stream id is over ~1000 bytes. `replay` (and `trim`) query by the sort key
 * `e <streamId> <seq>`, and DynamoDB refuses a key condition value over 1024 bytes (its sort-key
 * limit) with a ValidationException: a 500 where every other store answers as for an unknown id
 * (400). dynalite does not check that limit, so the client here refuses as DynamoDB does.
 */
import { addTool, createHandler, McpServer } from "@portico/core";
import { initializeBody, legacyGet, legacyPost } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbClient, DynamoDbError, dynamoDbStores } from "../src/index.ts";
import type { LocalTable } from "./_dynalite.ts";
import { startLocalTable } from "./_dynalite.ts";

/** DynamoDB's limit on a sort key value, in UTF-8 bytes. */
const MAX_SORT_KEY_BYTES = 1024;

/** A client that, like DynamoDB, refuses a Query whose sort-key condition value is over the limit. */
class StrictClient extends DynamoDbClient {
  queries = 0;
  override async send<T = Record<string, any>>(operation: string, input: object): Promise<T> {
    if (operation === "Query") {
      this.queries++;
      const values = (input as { ExpressionAttributeValues?: Record<string, { S?: string }> })
        .ExpressionAttributeValues;
      for (const [name, value] of Object.entries(values ?? {})) {
        if (name === ":pk" || value.S === undefined) continue;
        if (new TextEncoder().encode(value.S).length > MAX_SORT_KEY_BYTES) {
          throw new DynamoDbError(
            "ValidationException",
            "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
            400,
          );
        }
      }
    }
    return super.send<T>(operation, input);
  }
}

let table: LocalTable;
let client: StrictClient;

beforeAll(async () => {
  table = await startLocalTable();
  client = new StrictClient(table.connection);
});

afterAll(async () => {
  await table?.close();
});

const longest = MAX_SORT_KEY_BYTES - "e  0000000000000000".length;

describe("a stream id past DynamoDB's 1024-byte sort key", () => {
  it("replay answers as for an unknown id; the longest stream id that fits still works", async () => {
    const { events } = dynamoDbStores({ ...table.connection, client });
    for (const length of [longest + 1, 1100, 3000]) {
      expect(await events.replay("long-sk", `${"s".repeat(length)}/0123456789-1`)).toBeUndefined();
    }
    const first = await events.append("long-sk", "s".repeat(longest), 1);
    const second = await events.append("long-sk", "s".repeat(longest), 2);
    expect(await events.replay("long-sk", first)).toStrictEqual({
      streamId: "s".repeat(longest),
      events: [{ id: second, message: 2 }],
    });
  });

  it("trim of such a stream is a no-op without a query", async () => {
    const { events } = dynamoDbStores({ ...table.connection, client });
    const id = await events.append("long-trim", "t", 1);
    const before = client.queries;
    await events.trim("long-trim", "s".repeat(longest + 1));
    expect(client.queries).toBe(before);
    expect(await events.replay("long-trim", id)).toStrictEqual({ streamId: "t", events: [] });
  });

  it("through the handler, a GET stream with such a Last-Event-ID is a 400, not a 500", async () => {
    const stores = dynamoDbStores({ ...table.connection, client, busPollMs: 20 });
    const server = new McpServer({ name: "long-sk", version: "1.0.0" });
    addTool(server, "noop", { description: "Does nothing" }, async () => "ok");
    const errors: unknown[] = [];
    const handler = createHandler(server, {
      stores,
      secret: "long-sort-key-secret-0123456789abcdef",
      onError: (error) => void errors.push(error),
    });
    const url = "http://127.0.0.1/mcp";
    const legacy = { protocolVersion: "2025-06-18" };
    try {
      const init = await handler.fetch(legacyPost(url, initializeBody(1, legacy)));
      expect(init.status).toBe(200);
      await init.arrayBuffer();
      const sessionId = init.headers.get("mcp-session-id") as string;
      for (const length of [10, 1100, 3000]) {
        const lastEventId = `${"s".repeat(length)}/0123456789-1`;
        const response = await handler.fetch(legacyGet(url, { sessionId, ...legacy, lastEventId }));
        expect(response.status, `stream id of ${length}`).toBe(400);
        await response.arrayBuffer();
      }
      expect(errors).toStrictEqual([]);
    } finally {
      await stores.bus.close();
    }
  });
});
