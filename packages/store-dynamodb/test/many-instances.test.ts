/**
 * Many instances, one session, on DynamoDB: three separate processes (fresh module state each) run
 * the quickstart behind the Lambda streaming handler, served by the Lambda dev server, sharing one
 * table on dynalite; one legacy session is driven round-robin across them.
 */
import { fileURLToPath } from "node:url";
import { type Instances, oneSessionAcrossInstances, startInstances } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, it } from "vitest";
import { type LocalTable, startLocalTable } from "./_dynalite.ts";

const SCRIPT = fileURLToPath(new URL("./_instance.ts", import.meta.url));

let table: LocalTable | undefined;
let instances: Instances | undefined;

beforeAll(async () => {
  table = await startLocalTable(`many-${Date.now()}`);
  const env = { TABLE_NAME: table.tableName, DYNAMO_ENDPOINT: table.endpoint };
  instances = await startInstances(SCRIPT, [env, env, env]);
}, 60_000);

afterAll(async () => {
  await instances?.stop();
  await table?.close();
});

describe("one legacy session across three handler processes sharing DynamoDB", () => {
  it("initialize on A, elicitation on B answered on C, a dropped stream resumed on A, DELETE on B", async () => {
    await oneSessionAcrossInstances(instances?.urls ?? []);
  }, 60_000);
});
