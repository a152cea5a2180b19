/**
 * The Lambda entry under the Lambda adapter's dev server (API Gateway HTTP API v2 events on
 * 127.0.0.1, a free port), and through a REST API v1 event converter in process.
 */
import { fromResult, toEvent } from "@portico/adapter-lambda";
import { type LambdaDevServer, serveLambda } from "@portico/adapter-lambda/dev";
import { afterAll, beforeAll, describe, it } from "vitest";
import { handler } from "../src/lambda.ts";
import { booksScenario } from "./_scenario.ts";

let dev: LambdaDevServer;
beforeAll(async () => {
  dev = await serveLambda(handler, { port: 0 });
});
afterAll(() => dev?.close());

describe("the Lambda entry", () => {
  it("serves the Books API and its MCP face behind HTTP API events", async () => {
    await booksScenario(new URL(dev.url));
  });

  it("and behind REST API (v1) events, in process", async () => {
    const context = { awsRequestId: "hono", getRemainingTimeInMillis: () => 30_000 };
    const invoke = async (input: string | URL | Request, init?: RequestInit) =>
      fromResult(await handler(await toEvent(new Request(input, init), "v1"), context as never));
    await booksScenario(new URL("https://books.execute-api.example.com"), invoke);
  });
});
