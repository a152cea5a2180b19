/**
 * The bench's `add` tool behind the Lambda adapter on the DynamoDB stores (table, endpoint and
 * credentials from the environment, as a deployed function reads them), for legacy cold starts
 * (dynamodb-cold-start.ts). `BENCH_DYNAMODB_FETCH=global` hands the client Node's global `fetch`
 * (undici), as the stores used by default before `lightFetch`.
 */
import { handle } from "@portico/adapter-lambda";
import { createHandler } from "@portico/core";
import { dynamoDbStores } from "@portico/store-dynamodb";
import { addServer } from "../apps/portico.ts";

const server = addServer();
const env = process.env;
export const handler = handle(
  createHandler(server, {
    ...(env.PORTICO_SECRET === undefined ? {} : { secret: env.PORTICO_SECRET }),
    stores: dynamoDbStores({
      tableName: env.TABLE_NAME ?? "portico-bench",
      region: env.AWS_REGION ?? "us-east-1",
      ...(env.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: env.DYNAMODB_ENDPOINT }),
      ...(env.BENCH_DYNAMODB_FETCH === "global"
        ? { fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init) }
        : {}),
    }),
  }),
);
