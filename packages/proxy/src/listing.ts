/**
 * Listing the upstream's definitions: every page of each list its capabilities announce, within
 * bounds — 10 000 definitions of a kind, 32 MiB of listing text in all, and one `timeoutMs` for the
 * whole listing (every kind, every page). Past a bound the listing fails as a whole, so nothing is
 * registered from half a listing.
 */

import type { UpstreamClient } from "./client.ts";
import { UpstreamRpcError, UpstreamTransportError } from "./errors.ts";
import { isObject, type Json } from "./json.ts";
import type { Kind } from "./types.ts";

const MAX_PAGES = 1000;
/** The most definitions of one kind a listing may hold. */
export const MAX_LISTED_ITEMS = 10_000;
/** The most listing text (the definitions as JSON and the cursors, every kind together) a listing may hold: 32 MiB. */
export const MAX_LISTING_CHARS = 32 * 1024 * 1024;
/** The longest page cursor followed (an opaque token; real ones are short). */
export const MAX_CURSOR_CHARS = 64 * 1024;

/** What one listing shares across its kinds: its deadline, and the text listed so far. */
interface Listing {
  signal: AbortSignal;
  chars: number;
}

/** The upstream's tools, resources, resource templates and prompts (listed concurrently). */
export async function listDefinitions(
  client: UpstreamClient,
  timeoutMs: number,
): Promise<Record<Kind, Json[]>> {
  const caps = client.capabilities;
  const deadline = AbortSignal.timeout(timeoutMs);
  // A kind that fails ends the others' listing too.
  const failed = new AbortController();
  const listing: Listing = { signal: AbortSignal.any([deadline, failed.signal]), chars: 0 };
  const kind = (listed: Promise<Json[]>) =>
    listed.catch((error: unknown) => {
      failed.abort();
      throw error;
    });
  try {
    const [tool, resource, template, prompt] = await Promise.all([
      isObject(caps.tools) ? kind(list(client, listing, "tools/list", "tools")) : [],
      isObject(caps.resources) ? kind(list(client, listing, "resources/list", "resources")) : [],
      isObject(caps.resources) ? kind(listTemplatesTolerant(client, listing)) : [],
      isObject(caps.prompts) ? kind(list(client, listing, "prompts/list", "prompts")) : [],
    ]);
    return { tool, resource, template, prompt };
  } catch (error) {
    if (deadline.aborted && error instanceof UpstreamTransportError && error.kind === "timeout") {
      throw new UpstreamTransportError(
        "timeout",
        `listing the upstream took longer than ${timeoutMs} ms (timeoutMs bounds the whole listing, every page)`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** The objects under `key` of every page of `method` (stops at a repeated cursor, or after 1000 pages). */
async function list(client: UpstreamClient, listing: Listing, method: string, key: string): Promise<Json[]> {
  const items: Json[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await client.request(method, cursor === undefined ? {} : { cursor }, {
      signal: listing.signal,
    });
    const got = result[key];
    if (Array.isArray(got)) {
      if (items.length + got.length > MAX_LISTED_ITEMS) {
        throw new UpstreamTransportError(
          "too_large",
          `the upstream listed more than ${MAX_LISTED_ITEMS} ${key} (${method}); the proxy registers at most ${MAX_LISTED_ITEMS} of a kind`,
          { limit: MAX_LISTED_ITEMS },
        );
      }
      listing.chars += textLength(got);
      if (listing.chars > MAX_LISTING_CHARS) {
        throw new UpstreamTransportError(
          "too_large",
          `the upstream's listing holds more than ${MAX_LISTING_CHARS} characters of definitions (at ${method}); the proxy lists at most that much`,
          { limit: MAX_LISTING_CHARS },
        );
      }
      for (const item of got) if (isObject(item)) items.push(item);
    }
    const next = result.nextCursor;
    if (typeof next !== "string" || next === "" || seen.has(next)) break;
    // Cursors are kept (to stop at a repeated one) and sent back: they count toward the listing's
    // text, and one is at most MAX_CURSOR_CHARS (an upstream's pages with huge cursors and no
    // definitions would otherwise make the server hold gigabytes).
    listing.chars += next.length;
    if (next.length > MAX_CURSOR_CHARS || listing.chars > MAX_LISTING_CHARS) {
      throw new UpstreamTransportError(
        "too_large",
        next.length > MAX_CURSOR_CHARS
          ? `the upstream's ${method} cursor is longer than ${MAX_CURSOR_CHARS} characters; the proxy follows cursors up to that length`
          : `the upstream's listing holds more than ${MAX_LISTING_CHARS} characters of definitions and cursors (at ${method}); the proxy lists at most that much`,
        { limit: next.length > MAX_CURSOR_CHARS ? MAX_CURSOR_CHARS : MAX_LISTING_CHARS },
      );
    }
    seen.add(next);
    cursor = next;
  }
  return items;
}

/**
 * About how long `value` is as JSON text (strings and keys by their length, punctuation, 5 for
 * other values), counted without recursion: a definition may be nested deeper than
 * `JSON.stringify` can go.
 */
function textLength(value: unknown): number {
  let length = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next === "string") {
      length += next.length + 2;
    } else if (Array.isArray(next)) {
      length += next.length + 2;
      for (const item of next) stack.push(item);
    } else if (next !== null && typeof next === "object") {
      length += 2;
      for (const key in next) {
        length += key.length + 4;
        stack.push((next as Record<string, unknown>)[key]);
      }
    } else {
      length += 5;
    }
  }
  return length;
}

/** Servers with resources but no templates may not implement `resources/templates/list`. */
async function listTemplatesTolerant(client: UpstreamClient, listing: Listing): Promise<Json[]> {
  try {
    return await list(client, listing, "resources/templates/list", "resourceTemplates");
  } catch (error) {
    if (error instanceof UpstreamRpcError && error.code === -32601) return [];
    throw error;
  }
}
