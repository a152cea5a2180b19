/**
 * What the built bundle needs around it in the tests: a local DynamoDB (dynalite, table created) and
 * a stand-in Secrets Manager, both on 127.0.0.1 with a free port, and the function's environment.
 * Shared by e2e.test.ts (the dev server) and ric.test.ts (the official runtime client).
 */
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createTable, DynamoDbClient } from "@portico/store-dynamodb";
import dynalite from "dynalite";
import { packageRoot } from "./_templates.ts";

export const workspaceRoot = join(packageRoot, "..", "..", "..");

/** The bundle is built from the adapter and store sources; the tests skip until both exist. */
export const dependenciesReady =
  existsSync(join(workspaceRoot, "packages/adapter-lambda/src/index.ts")) &&
  existsSync(join(workspaceRoot, "packages/store-dynamodb/src/index.ts"));

export const REGION = "us-east-1";
export const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:RequestStateSecret-AbCdEf";
export const credentials = { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-test-secret" };

export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface Started {
  url: string;
  close(): Promise<void>;
}

/** dynalite on 127.0.0.1 with the store's table (no TTL: dynalite has no TTL API). */
export async function startDynalite(tableName: string): Promise<Started> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const url = await listen(server);
  const client = new DynamoDbClient({ endpoint: url, region: REGION, credentials });
  await createTable(client, { tableName, timeToLive: false });
  return { url, close: () => closeServer(server) };
}

/** A DynamoDB endpoint that answers every call with a 500 `InternalServerError` (an outage). */
export async function startDynamoDbOutage(): Promise<Started> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
    res.end(JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#InternalServerError" }));
  });
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}

export interface SecretsManagerStandIn extends Started {
  /** The JSON bodies of the `GetSecretValue` calls received, in order. */
  readonly requests: unknown[];
}

/**
 * Answers `GetSecretValue` for {@link SECRET_ARN} with a fixed 66-character secret, and any other
 * secret id with `ResourceNotFoundException` (HTTP 400), as Secrets Manager does.
 */
export async function startSecretsManager(): Promise<SecretsManagerStandIn> {
  const requests: unknown[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const input = JSON.parse(body) as { SecretId?: string };
      requests.push(input);
      res.setHeader("content-type", "application/x-amz-json-1.1");
      if (input.SecretId !== SECRET_ARN) {
        res.writeHead(400).end(
          JSON.stringify({
            __type: "ResourceNotFoundException",
            message: "Secrets Manager can't find the specified secret.",
          }),
        );
        return;
      }
      res.writeHead(200).end(JSON.stringify({ ARN: SECRET_ARN, SecretString: "e2e".repeat(22) }));
    });
  });
  const url = await listen(server);
  return { url, requests, close: () => closeServer(server) };
}

/** The environment `template.yaml` gives the functions, with both services pointed at the stand-ins. */
export function functionEnv(
  tableName: string,
  dynamoDbUrl: string,
  secretsManagerUrl: string,
): Record<string, string> {
  return {
    TABLE_NAME: tableName,
    SECRET_ARN,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManagerUrl,
  };
}
