/**
 * A Lambda cold start on the DynamoDB stores never loads undici: the client sends its calls with
 * `node:https` (`lightFetch` of @portico/host), not Node's `fetch`, whose first use loads all of
 * undici (about 100 ms of a cold start under the Lambda runtime's `--expose-gc`). A fresh Node
 * answers a legacy session — every request of it reads or writes the stores — against dynalite.
 * And a call in a session another instance opened (what a new instance mostly gets) signs its
 * store call without WebCrypto, whose first use loads Node's whole implementation of it.
 */
import { fileURLToPath } from "node:url";
import { addTool, createHandler, McpServer } from "@portico/core";
import { initializeBody, legacyPost } from "@portico/test-kit";
import { coldModules, nodeStripsTypes } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoDbStores } from "../src/index.ts";
import { credentials, type LocalTable, startLocalTable } from "./_dynalite.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/legacy-cold.mjs", import.meta.url));

let table: LocalTable;
beforeAll(async () => {
  table = await startLocalTable("portico-cold");
});
afterAll(() => table?.close());

describe("a Lambda cold start on the DynamoDB stores", () => {
  it.runIf(nodeStripsTypes)(
    "answers both eras without loading undici or web streams (a modern call: nothing of the stores' client)",
    async () => {
      const { answers, heavy, loaded } = await coldModules<Record<string, unknown>>(FIXTURE, {
        DYNAMODB_ENDPOINT: table.endpoint,
        TABLE_NAME: table.tableName,
        AWS_ACCESS_KEY_ID: "AKIDLOCALTEST",
        AWS_SECRET_ACCESS_KEY: "local-test-secret",
      });
      const { loadedModern, ...statuses } = answers as { loadedModern: string[] } & Record<string, unknown>;
      expect(statuses).toStrictEqual({ modern: 200, initialize: 200, initialized: 202, call: 200, sum: "5" });
      // Importing and a 2026-07-28 call touch no store: neither the HTTP client nor WebCrypto (with
      // Node's streams, ~20 ms of a cold start under the Lambda runtime's --expose-gc) loaded.
      expect(loadedModern.filter((m) => /crypto|streams|_http_client|\btls\b/.test(m))).toStrictEqual([]);
      // The stores really went over HTTP: Node's HTTP client loaded.
      expect(loaded).toContain("NativeModule _http_client");
      expect(heavy).toStrictEqual([]);
    },
  );

  it.runIf(nodeStripsTypes)(
    "answers a tools/call in a session another instance opened without loading WebCrypto",
    async () => {
      // This instance (the test) opens the session; a fresh one answers the call.
      const server = new McpServer({ name: "cold", version: "1.0.0" });
      addTool(server, "add", { description: "Add" }, (args) => String(Number(args.a) + Number(args.b)));
      const opener = createHandler(server, {
        secret: "0123456789abcdef0123456789abcdef",
        stores: dynamoDbStores({ ...table.connection, credentials }),
      });
      const host = "abc123.execute-api.us-east-1.amazonaws.com";
      const init = await opener.fetch(
        legacyPost(`https://${host}/mcp`, initializeBody(0)),
        undefined,
        // What the Lambda adapter passes for the fixture's events: the routed host and the caller's address.
        { routedHosts: [host], clientAddress: "203.0.113.9" },
      );
      expect(init.status).toBe(200);
      const session = init.headers.get("mcp-session-id") ?? "";
      expect(session).not.toBe("");
      opener.close();

      const { answers, loaded } = await coldModules<Record<string, unknown>>(FIXTURE, {
        DYNAMODB_ENDPOINT: table.endpoint,
        TABLE_NAME: table.tableName,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        SESSION_ID: session,
      });
      expect(answers).toStrictEqual({ call: 200, sum: "5" });
      // The session was read over HTTP, signed, and nothing of Node's crypto loaded for it (over
      // https: TLS loads Node's crypto module, but still not WebCrypto).
      expect(loaded).toContain("NativeModule _http_client");
      expect(loaded.filter((m) => /crypto|\btls\b/.test(m))).toStrictEqual([]);
    },
  );
});
