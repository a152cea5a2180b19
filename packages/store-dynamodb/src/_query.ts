import type { DynamoDbClient } from "./client.ts";

type RawItem = Record<string, unknown>;

/** Runs a Query to the end, following `LastEvaluatedKey` across 1 MB pages. */
export async function queryAll(client: DynamoDbClient, input: Record<string, unknown>): Promise<RawItem[]> {
  const items: RawItem[] = [];
  let start: unknown;
  do {
    const page = await client.send<{ Items?: RawItem[]; LastEvaluatedKey?: unknown }>(
      "Query",
      start === undefined ? input : { ...input, ExclusiveStartKey: start },
    );
    if (page.Items) items.push(...page.Items);
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
