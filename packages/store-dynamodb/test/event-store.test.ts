import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoDbStores } from "../src/index.ts";
import type { LocalTable } from "./_dynalite.ts";
import { startLocalTable } from "./_dynalite.ts";

let table: LocalTable;

beforeAll(async () => {
  table = await startLocalTable();
});

afterAll(async () => {
  await table?.close();
});

describe("DynamoDbEventStore", () => {
  it("makes ids <streamId>/<tag>-<seq>, split at the last '/', also for stream ids containing '/'", async () => {
    const { events } = dynamoDbStores(table.connection);
    const id = await events.append("s", "a/b", "x");
    expect(id).toMatch(/^a\/b\/[0-9a-f]{10}-1$/);
    const next = await events.append("s", "a/b", "y");
    expect(next).toBe(id.replace(/-1$/, "-2"));
    expect(await events.replay("s", id)).toStrictEqual({
      streamId: "a/b",
      events: [{ id: next, message: "y" }],
    });
  });

  it("numbers the events of a session in one sequence across its streams", async () => {
    const { events } = dynamoDbStores(table.connection);
    const ids = [
      await events.append("seq", "a", 1),
      await events.append("seq", "b", 2),
      await events.append("seq", "a", 3),
    ];
    expect(ids.map((id) => Number(id.slice(id.lastIndexOf("-") + 1)))).toStrictEqual([1, 2, 3]);
  });

  it("rejects stream ids that are empty or not visible ASCII", async () => {
    const { events } = dynamoDbStores(table.connection);
    for (const streamId of ["", "with space", "new\nline", "é"]) {
      await expect(events.append("s", streamId, 1), JSON.stringify(streamId)).rejects.toThrow(TypeError);
    }
  });

  it("rejects messages that are not JSON instead of changing them", async () => {
    const { events } = dynamoDbStores(table.connection);
    await expect(events.append("s", "a", Number.NaN)).rejects.toThrow(TypeError);
    await expect(events.append("s", "a", { when: new Map() } as never)).rejects.toThrow(TypeError);
  });

  it("never reuses an id after a trim", async () => {
    const { events } = dynamoDbStores(table.connection);
    const before = await events.append("reuse", "a", 1);
    await events.trim("reuse");
    const after = await events.append("reuse", "a", 1);
    expect(after).not.toBe(before);
    expect(await events.replay("reuse", before)).toBeUndefined();
    expect(await events.replay("reuse", after)).toStrictEqual({ streamId: "a", events: [] });
  });

  it("rejects ids with a leading zero or a foreign tag", async () => {
    const { events } = dynamoDbStores(table.connection);
    const id = await events.append("format", "a", 1);
    const [stream, position] = [id.slice(0, id.lastIndexOf("/")), id.slice(id.lastIndexOf("/") + 1)];
    const [tag] = position.split("-");
    expect(await events.replay("format", `${stream}/${tag}-01`)).toBeUndefined();
    expect(await events.replay("format", `${stream}/0000000000-1`)).toBeUndefined();
    expect(await events.replay("format", `${stream}/1`)).toBeUndefined();
  });

  it("replays and trims across more than one 1 MB query page", async () => {
    const { events } = dynamoDbStores(table.connection);
    const big = "x".repeat(200 * 1024);
    const first = await events.append("pages", "a", "head");
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await events.append("pages", "a", { i, big }));
    const replay = await events.replay("pages", first);
    expect(replay?.events.map((e) => e.id)).toStrictEqual(ids);
    expect(replay?.events.map((e) => (e.message as { i: number }).i)).toStrictEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await events.trim("pages", "a");
    expect(await events.replay("pages", first)).toBeUndefined();
  });

  it("trims more events than one BatchWriteItem takes", async () => {
    const { events } = dynamoDbStores(table.connection);
    const ids = await Promise.all(
      Array.from({ length: 60 }, (_, n) => events.append("many", `s${n % 3}`, n)),
    );
    await events.trim("many");
    for (const id of ids.slice(0, 6)) expect(await events.replay("many", id)).toBeUndefined();
    const { Count } = await table.client.send<{ Count: number }>("Query", {
      TableName: table.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": { S: "e#many" } },
      Select: "COUNT",
    });
    expect(Count).toBe(1); // only the counter item remains
  });
});
