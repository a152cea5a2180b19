/** Listing the upstream's definitions: every page of each list its capabilities announce. */

import type { UpstreamClient } from "./client.ts";
import { UpstreamRpcError } from "./errors.ts";
import { isObject, type Json } from "./json.ts";
import type { Kind } from "./types.ts";

const MAX_PAGES = 1000;

/** The upstream's tools, resources, resource templates and prompts (listed concurrently). */
export async function listDefinitions(
  client: UpstreamClient,
  timeoutMs: number,
): Promise<Record<Kind, Json[]>> {
  const caps = client.capabilities;
  const [tool, resource, template, prompt] = await Promise.all([
    isObject(caps.tools) ? list(client, timeoutMs, "tools/list", "tools") : [],
    isObject(caps.resources) ? list(client, timeoutMs, "resources/list", "resources") : [],
    isObject(caps.resources) ? listTemplatesTolerant(client, timeoutMs) : [],
    isObject(caps.prompts) ? list(client, timeoutMs, "prompts/list", "prompts") : [],
  ]);
  return { tool, resource, template, prompt };
}

/** The objects under `key` of every page of `method` (stops at a repeated cursor, or after 1000 pages). */
async function list(client: UpstreamClient, timeoutMs: number, method: string, key: string): Promise<Json[]> {
  const items: Json[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await client.request(method, cursor === undefined ? {} : { cursor }, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    const got = result[key];
    if (Array.isArray(got)) for (const item of got) if (isObject(item)) items.push(item);
    const next = result.nextCursor;
    if (typeof next !== "string" || next === "" || seen.has(next)) break;
    seen.add(next);
    cursor = next;
  }
  return items;
}

/** Servers with resources but no templates may not implement `resources/templates/list`. */
async function listTemplatesTolerant(client: UpstreamClient, timeoutMs: number): Promise<Json[]> {
  try {
    return await list(client, timeoutMs, "resources/templates/list", "resourceTemplates");
  } catch (error) {
    if (error instanceof UpstreamRpcError && error.code === -32601) return [];
    throw error;
  }
}
