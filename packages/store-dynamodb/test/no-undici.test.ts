/**
 * A Lambda cold start on the DynamoDB stores never loads undici: the client sends its calls with
 * `node:https` (`lightFetch` of @portico/host), not Node's `fetch`, whose first use loads all of
 * undici (about 100 ms of a cold start under the Lambda runtime's `--expose-gc`). A fresh Node
 * answers a legacy session — every request of it reads or writes the stores — against dynalite.
 */
import { fileURLToPath } from "node:url";
import { coldModules, nodeStripsTypes } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalTable, startLocalTable } from "./_dynalite.ts";

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
});
