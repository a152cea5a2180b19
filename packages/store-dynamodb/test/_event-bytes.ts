/** What the byte-bound tests of the event store share: sized messages, raw reads, a call recorder. */
import type { JsonValue } from "@portico/core";
import type { DynamoDbEventStoreOptions } from "../src/index.ts";
import { DynamoDbClient, DynamoDbEventStore } from "../src/index.ts";
import type { LocalTable } from "./_dynalite.ts";

/** A message whose JSON text is exactly `bytes` long (bytes ≥ 20). */
export function sized(label: string, bytes: number): JsonValue {
  const padding = bytes - JSON.stringify({ l: label, p: "" }).length;
  return { l: label, p: "x".repeat(padding) };
}

type RawItem = Record<string, { S?: string; N?: string }>;

/** The session's partition as stored: the counter's total and the event items' sizes. */
export async function stored(table: LocalTable, pk: string) {
  const Items: RawItem[] = [];
  let start: unknown;
  do {
    const page = await table.client.send<{ Items?: RawItem[]; LastEvaluatedKey?: unknown }>("Query", {
      TableName: table.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": { S: pk } },
      ConsistentRead: true,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    Items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const counter = Items.find((item) => item.sk?.S === "n");
  const events = Items.filter((item) => item.sk?.S?.startsWith("e "));
  return {
    /** The counter's running total (undefined without a counter). */
    total: counter?.tot?.N === undefined ? undefined : Number(counter.tot.N),
    seq: counter?.seq?.N === undefined ? undefined : Number(counter.seq.N),
    /** Event items left, by sort key. */
    keys: events.map((item) => item.sk?.S as string),
    /** Sum of the stored events' sizes. */
    bytes: events.reduce((sum, item) => sum + Number(item.len?.N), 0),
  };
}

/** Deletes an item behind the store's back, as DynamoDB's TTL does. */
export async function vanish(table: LocalTable, pk: string, sk: string): Promise<void> {
  await table.client.send("DeleteItem", {
    TableName: table.tableName,
    Key: { pk: { S: pk }, sk: { S: sk } },
  });
}

/**
 * An event store on `table` whose client records the operation of every request (`calls`), and
 * answers 500 to the operations listed in `failing`.
 */
export function recorded(table: LocalTable, options: Partial<DynamoDbEventStoreOptions> = {}) {
  const calls: string[] = [];
  const failing = new Set<string>();
  const client = new DynamoDbClient({
    ...table.connection,
    retry: { maxAttempts: 1 },
    fetch: async (input, init) => {
      const target = String(new Headers(init?.headers).get("x-amz-target"));
      const operation = target.slice(target.indexOf(".") + 1);
      calls.push(operation);
      if (failing.has(operation)) return new Response("injected", { status: 500 });
      return fetch(input, init);
    },
  });
  const events = new DynamoDbEventStore(client, { tableName: table.tableName, ...options });
  return { events, calls, failing };
}
