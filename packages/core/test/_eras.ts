/** One request in either era against a fresh handler of a server, for the tests that run in both. */
import { createHandler, type McpServer } from "../src/index.ts";
import { legacySession, modern } from "./_client.ts";

export const ERAS = ["modern", "legacy"] as const;
export type EraName = (typeof ERAS)[number];

export async function request(
  server: McpServer,
  era: EraName,
  method: string,
  params: Record<string, unknown> = {},
) {
  const handler = createHandler(server, { onError: () => {} });
  try {
    if (era === "modern") return await modern(handler, method, params);
    const session = await legacySession(handler);
    return await session.call(method, params);
  } finally {
    handler.close();
  }
}
