/**
 * The quickstart's Lambda cold start never loads undici (Node's `fetch`: about 100 ms of a cold
 * start under the Lambda runtime's `--expose-gc`): its init fetches the secret from Secrets Manager
 * and its stores talk to DynamoDB through `lightFetch` (node:https), both signed without WebCrypto.
 * A fresh Node runs the entry's init against the stand-ins and answers both eras.
 */
import { fileURLToPath } from "node:url";
import { coldModules, nodeStripsTypes } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dependenciesReady,
  functionEnv,
  type SecretsManagerStandIn,
  type Started,
  startDynalite,
  startSecretsManager,
} from "./_stand-ins.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/cold-handler.mjs", import.meta.url));
const TABLE = "portico-quickstart-cold";
const ready = dependenciesReady && nodeStripsTypes;

let dynamo: Started;
let secrets: SecretsManagerStandIn;
beforeAll(async () => {
  if (!ready) return;
  dynamo = await startDynalite(TABLE);
  secrets = await startSecretsManager();
});
afterAll(async () => {
  await secrets?.close();
  await dynamo?.close();
});

describe.skipIf(!ready)("the quickstart's Lambda cold start", () => {
  it("fetches its secret, serves both eras on DynamoDB, never loads undici or web streams, and no crypto for init and a 2026-07-28 call", async () => {
    const { answers, loaded, heavy } = await coldModules<Record<string, unknown>>(
      FIXTURE,
      functionEnv(TABLE, dynamo.url, secrets.url),
    );
    const { loadedModern, ...statuses } = answers as { loadedModern: string[] } & Record<string, unknown>;
    expect(statuses).toStrictEqual({ modern: 200, initialize: 200, call: 200 });
    expect(secrets.requests).toHaveLength(1);
    // Init signed its Secrets Manager call and a 2026-07-28 call ran: none of Node's crypto (WebCrypto's
    // first use costs 8–25 ms of a cold start; over https, TLS would load Node's crypto module, still
    // not WebCrypto).
    expect(loadedModern.filter((m) => /crypto/.test(m))).toStrictEqual([]);
    expect(loaded).toContain("NativeModule _http_client");
    expect(heavy).toStrictEqual([]);
  });
});
