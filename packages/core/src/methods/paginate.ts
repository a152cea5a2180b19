/** Opaque cursor pagination shared by every list method. */

import { ErrorCode, McpError } from "../errors.ts";
import { fromBase64Url, toBase64Url } from "../util/encoding.ts";

const encoder = new TextEncoder();

/**
 * The page of `items` at `cursor` (absent: the first page) and the opaque cursor of the next page,
 * if any — the pagination every list method uses, for extensions' list methods too. A cursor this
 * did not make, or one past the end, is `McpError` -32602 "Invalid cursor".
 */
export function paginate<T>(
  items: readonly T[],
  cursor: unknown,
  pageSize: number,
): { page: T[]; nextCursor?: string } {
  let offset = 0;
  if (cursor !== undefined) {
    offset = decodeCursor(cursor);
    if (offset > items.length) throw new McpError(ErrorCode.InvalidParams, "Invalid cursor");
  }
  const page = items.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  return next < items.length ? { page, nextCursor: toBase64Url(encoder.encode(`o:${next}`)) } : { page };
}

function decodeCursor(cursor: unknown): number {
  if (typeof cursor !== "string" || cursor.length > 64)
    throw new McpError(ErrorCode.InvalidParams, "Invalid cursor");
  try {
    const text = new TextDecoder().decode(fromBase64Url(cursor));
    const match = /^o:(\d{1,9})$/.exec(text);
    if (match !== null) return Number(match[1]);
  } catch {
    // fall through
  }
  throw new McpError(ErrorCode.InvalidParams, "Invalid cursor");
}
