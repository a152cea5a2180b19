/**
 * One handler process of the many-instances test: the quickstart server with DynamoDB stores behind
 * the Lambda streaming handler, served by the Lambda dev server on 127.0.0.1. Fresh module state per
 * process; everything shared lives in the table. Prints {"url"} once listening; SIGTERM stops it.
 */
import { streamHandle } from "@portico/adapter-lambda";
import { installAwslambda, serveLambda } from "@portico/adapter-lambda/dev";
import { createHandler } from "@portico/core";
import { createQuickstartServer } from "@portico/example-quickstart/tools";
import { dynamoDbStores } from "../src/index.ts";

installAwslambda();
const stores = dynamoDbStores({
  tableName: process.env.TABLE_NAME as string,
  endpoint: process.env.DYNAMO_ENDPOINT as string,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-test-secret" },
  busPollMs: 50,
});
// Shared configuration, as every instance of one deployment has it.
const app = createHandler(createQuickstartServer(), {
  stores,
  secret: "many-instances-test-secret-of-32-bytes-or-more",
});
const server = await serveLambda(streamHandle(app), { port: 0, kind: "v2", timeoutMs: 60_000 });
process.stdout.write(`${JSON.stringify({ url: `${server.url}/mcp` })}\n`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
