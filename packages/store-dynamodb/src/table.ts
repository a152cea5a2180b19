import { checkTimerMs } from "@portico/host";
import { sleep } from "./_retry.ts";
import type { DynamoDbClient } from "./client.ts";
import { DynamoDbError } from "./errors.ts";

/** Partition key attribute (string). */
export const PARTITION_KEY = "pk";
/** Sort key attribute (string). */
export const SORT_KEY = "sk";
/** The TTL attribute every item carries: epoch **seconds**. Enable DynamoDB TTL on it. */
export const TTL_ATTRIBUTE = "ttl";

/**
 * The `CreateTable` input for a Portico table: `pk` (S) partition key, `sk` (S) sort key,
 * on-demand billing. Use the same layout in SAM/CloudFormation/CDK templates, and enable TTL on
 * {@link TTL_ATTRIBUTE}.
 */
export function tableDefinition(tableName: string) {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: "S" },
      { AttributeName: SORT_KEY, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: "HASH" },
      { AttributeName: SORT_KEY, KeyType: "RANGE" },
    ],
    BillingMode: "PAY_PER_REQUEST",
  };
}

/** Options for {@link createTable}. */
export interface CreateTableOptions {
  tableName: string;
  /**
   * Enable DynamoDB TTL on {@link TTL_ATTRIBUTE} (default true). Local servers such as dynalite do
   * not implement the TTL API; pass `false` there. Reads never depend on TTL deletion.
   */
  timeToLive?: boolean;
  /**
   * Longest wait for the table to become ACTIVE. Default 60 s; 0 to 2^31−1 ms (about 24.8 days),
   * else `createTable` rejects with a `RangeError` before sending anything.
   */
  timeoutMs?: number;
}

/**
 * Creates the table (an existing table is left alone), waits until it is ACTIVE and enables TTL.
 * Meant for tests, scripts and local development; production tables belong in a template.
 */
export async function createTable(client: DynamoDbClient, options: CreateTableOptions): Promise<void> {
  const { tableName } = options;
  // A wait that is not a finite number (NaN) would never end.
  const timeoutMs = options.timeoutMs ?? 60_000;
  checkTimerMs("timeoutMs", timeoutMs, 0);
  try {
    await client.send("CreateTable", tableDefinition(tableName));
  } catch (error) {
    if (!(error instanceof DynamoDbError && error.type === "ResourceInUseException")) throw error;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send<{ Table?: { TableStatus?: string } }>("DescribeTable", {
      TableName: tableName,
    });
    if (Table?.TableStatus === "ACTIVE") break;
    if (Date.now() > deadline) {
      throw new DynamoDbError("Timeout", `table ${tableName} is not ACTIVE (${Table?.TableStatus})`, 0);
    }
    await sleep(50);
  }
  if (options.timeToLive === false) return;
  try {
    await client.send("UpdateTimeToLive", {
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  } catch (error) {
    // Already enabled on this attribute is fine.
    if (!(error instanceof DynamoDbError && /already enabled/i.test(error.message))) throw error;
  }
}
