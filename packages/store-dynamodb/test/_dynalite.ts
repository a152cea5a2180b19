import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import type { DynamoDbClientOptions } from "../src/index.ts";
import { createTable, DynamoDbClient } from "../src/index.ts";

/** Dummy credentials: local servers check that a request is signed, not the signature. */
export const credentials = { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-test-secret" };

export interface LocalDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/** An in-memory dynalite server on 127.0.0.1, on a free port. */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface LocalTable extends LocalDynamo {
  tableName: string;
  client: DynamoDbClient;
  /** Options for a client or `dynamoDbStores` pointed at this server. */
  connection: DynamoDbClientOptions & { endpoint: string; tableName: string };
}

/** dynalite plus a Portico table created through the package's own client. */
export async function startLocalTable(tableName = "portico-test"): Promise<LocalTable> {
  const dynamo = await startDynalite();
  const connection = { endpoint: dynamo.endpoint, region: "us-east-1", credentials, tableName };
  const client = new DynamoDbClient(connection);
  try {
    // dynalite implements no TTL API; reads never rely on TTL deletion anyway.
    await createTable(client, { tableName, timeToLive: false });
  } catch (error) {
    await dynamo.close();
    throw error;
  }
  return { ...dynamo, tableName, client, connection };
}
