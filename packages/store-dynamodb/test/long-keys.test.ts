/**
 * Keys and topics whose partition key would pass DynamoDB's 2048-byte limit. A client chooses the
 * ids of its JSON-RPC responses and of `notifications/cancelled`, which name a reply mailbox
 * (`keys.reply`) and a cancel topic (`topics.cancel`): a long one must not turn into a
 * ValidationException (500) where every other store answers as for any unknown id.
 */
import type { JsonValue, StoreKey } from "@portico/core";
import { addTool, createHandler, McpServer } from "@portico/core";
import { initializeBody, legacyPost } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DynamoDbStores } from "../src/index.ts";
import { dynamoDbStores } from "../src/index.ts";
import type { LocalTable } from "./_dynalite.ts";
import { startLocalTable } from "./_dynalite.ts";

let table: LocalTable;
let stores: DynamoDbStores;

beforeAll(async () => {
  table = await startLocalTable();
  stores = dynamoDbStores({ ...table.connection, busPollMs: 20 });
});

afterAll(async () => {
  await stores?.bus.close();
  await table?.close();
});

/** Two keys whose texts share their first 3000 characters (and 2000 bytes of `é`). */
const long = (tail: string): StoreKey => ({
  kind: "reply",
  session: "long-keys",
  id: JSON.stringify(`${"r".repeat(3000)}${"é".repeat(1000)}${tail}`),
});

describe("keys past DynamoDB's 2048-byte partition key", () => {
  it("are records like any other: absent, created, read, updated, deleted, each apart", async () => {
    const [a, b] = [long("a"), long("b")];
    expect(await stores.sessions.get(a)).toBeUndefined();
    expect(await stores.sessions.update(a, 1, "x", 60_000)).toBe(false);
    await stores.sessions.delete(a);
    expect(await stores.sessions.create(a, "first", 60_000)).toBe(true);
    expect(await stores.sessions.create(a, "again", 60_000)).toBe(false);
    expect(await stores.sessions.get(b)).toBeUndefined();
    expect(await stores.sessions.create(b, "other", 60_000)).toBe(true);
    expect(await stores.sessions.update(a, 1, "second", 60_000)).toBe(true);
    expect((await stores.sessions.get(a))?.value).toBe("second");
    expect((await stores.sessions.get(b))?.value).toBe("other");
    await stores.sessions.delete(a);
    expect(await stores.sessions.get(a)).toBeUndefined();
    expect((await stores.sessions.get(b))?.value).toBe("other");
  });

  it("are bus topics and rate-limit buckets like any other", async () => {
    const got: JsonValue[] = [];
    const subscription = await stores.bus.subscribe(long("topic"), (message) => void got.push(message));
    await stores.bus.publish(long("other topic"), "not for us");
    await stores.bus.publish(long("topic"), "hello");
    const deadline = Date.now() + 5_000;
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await subscription.unsubscribe();
    expect(got).toStrictEqual(["hello"]);
    const bucket = { limit: 1, periodMs: 60_000, burst: 1, cost: 1 };
    expect((await stores.limits.take(long("bucket"), bucket)).allowed).toBe(true);
    expect((await stores.limits.take(long("bucket"), bucket)).allowed).toBe(false);
    expect((await stores.limits.take(long("other bucket"), bucket)).allowed).toBe(true);
  });

  it("a client's long response id or cancelled request id is not a server error", async () => {
    const server = new McpServer({ name: "long-keys", version: "1.0.0" });
    addTool(server, "noop", { description: "Does nothing" }, async () => "ok");
    const handler = createHandler(server, { stores, secret: "long-keys-secret-0123456789abcdef-xyz" });
    const url = "http://127.0.0.1/mcp";
    const legacy = { protocolVersion: "2025-06-18" };
    const init = await handler.fetch(legacyPost(url, initializeBody(1, legacy)));
    expect(init.status).toBe(200);
    const session = { sessionId: init.headers.get("mcp-session-id") as string, ...legacy };
    const reply = { jsonrpc: "2.0", id: "r".repeat(3000), result: {} };
    // No server request awaits this id: refused as with any unknown id (the memory store: 400).
    expect((await handler.fetch(legacyPost(url, reply, session))).status).toBe(400);
    const cancel = {
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: "c".repeat(3000) },
    };
    expect((await handler.fetch(legacyPost(url, cancel, session))).status).toBe(202);
  });
});
