/** Opaque cursor pagination shared by every list method. */

import { ErrorCode, McpError } from "../errors.ts";
import { fromBase64Url, toBase64Url } from "../util/encoding.ts";

const encoder = new TextEncoder();

/** A decoded cursor: where the next page starts, which list it is of, and the item before it. */
interface Cursor {
  offset: number;
  scope: string;
  /** Digest of the identity of the last item of the page before (absent: offset only). */
  after: string | undefined;
}

const CURSOR = /^o:(\d{1,9})(?::([0-9a-f]{8})?:([\w./-]{0,40}))?$/;

function invalid(why = ""): McpError {
  return new McpError(ErrorCode.InvalidParams, `Invalid cursor${why}`);
}

/** An item's identity in its list: its `name`, `uri` or `uriTemplate` (what MCP lists carry). */
function identityOf(item: unknown): string | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const { name, uri, uriTemplate } = item as { name?: unknown; uri?: unknown; uriTemplate?: unknown };
  const id = uri ?? uriTemplate ?? name;
  return typeof id === "string" ? id : undefined;
}

/** FNV-1a (32 bits) of `text`, as 8 hex digits: enough to find an item again, not a secret. */
function digest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

const digestOf = (item: unknown): string | undefined => {
  const id = identityOf(item);
  return id === undefined ? undefined : digest(id);
};

/**
 * Where the page after `cursor` starts in `items` as they are now: after the item the previous page
 * ended with, wherever the list's changes moved it (added or removed items before it shift the
 * offset), so no item still listed is skipped or repeated because of them. When that item is gone,
 * the cursor is stale: -32602, and the client lists again from the start.
 */
function startOf(items: readonly unknown[], cursor: Cursor): number {
  const { offset, after } = cursor;
  if (after === undefined) return offset;
  if (offset > 0 && offset <= items.length && digestOf(items[offset - 1]) === after) return offset;
  const index = items.findIndex((item) => digestOf(item) === after);
  if (index === -1) throw invalid(": the list changed since it was made; list again from the start");
  return index + 1;
}

/**
 * The page of `items` at `cursor` (absent: the first page) and the opaque cursor of the next page,
 * if any — the pagination every list method uses, for extensions' list methods too. A cursor
 * remembers which list it is of (`scope`) and the item the page before ended with (its `name`,
 * `uri` or `uriTemplate`), so pages stay right while the list changes. A cursor this did not make,
 * one of another list, one past the end, or one whose item is gone is `McpError` -32602
 * "Invalid cursor".
 */
export function paginate<T>(
  items: readonly T[],
  cursor: unknown,
  pageSize: number,
  scope = "",
): { page: T[]; nextCursor?: string } {
  let offset = 0;
  if (cursor !== undefined) {
    const decoded = decodeCursor(cursor);
    if (decoded.scope !== scope) throw invalid();
    offset = startOf(items, decoded);
    if (offset > items.length) throw invalid();
  }
  const page = items.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  if (next >= items.length) return { page };
  const text = `o:${next}:${digestOf(items[next - 1]) ?? ""}:${scope}`;
  return { page, nextCursor: toBase64Url(encoder.encode(text)) };
}

function decodeCursor(cursor: unknown): Cursor {
  if (typeof cursor !== "string" || cursor.length > 128) throw invalid();
  try {
    const text = new TextDecoder().decode(fromBase64Url(cursor));
    const match = CURSOR.exec(text);
    // `o:<n>` alone: a cursor of an earlier release (an offset in an unnamed list).
    if (match !== null) return { offset: Number(match[1]), after: match[2], scope: match[3] ?? "" };
  } catch {
    // fall through
  }
  throw invalid();
}
