import { describeStore } from "@portico/test-kit";
import { DynamoDbEventStore, dynamoDbStores } from "../src/index.ts";
import { startLocalTable } from "./_dynalite.ts";

describeStore("dynamodb (dynalite)", async () => {
  const table = await startLocalTable();
  const stores = dynamoDbStores({ ...table.connection, busPollMs: 50 });
  return {
    stores,
    boundedEvents: (maxBytesPerSession) =>
      new DynamoDbEventStore(stores.client, { tableName: table.tableName, maxBytesPerSession }),
    cleanup: async () => {
      await stores.bus.close();
      await table.close();
    },
  };
});
