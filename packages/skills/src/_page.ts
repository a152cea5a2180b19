/** Offset cursors for `skills/list` and `resources/directory/read` (opaque to clients, bounded). */
import { ErrorCode, McpError } from "@portico/core";

const PREFIX = "skills:";

/** The page of `items` at `cursor` (absent: the first) and the cursor of the next, if any. */
export function page<T>(
  items: readonly T[],
  cursor: unknown,
  size: number,
): { page: T[]; nextCursor?: string } {
  const offset = cursor === undefined ? 0 : decode(cursor);
  if (offset > items.length) throw invalidCursor();
  const next = offset + size;
  const slice = items.slice(offset, next);
  return next < items.length ? { page: slice, nextCursor: btoa(`${PREFIX}${next}`) } : { page: slice };
}

function decode(cursor: unknown): number {
  if (typeof cursor !== "string" || cursor.length > 64) throw invalidCursor();
  let text: string;
  try {
    text = atob(cursor);
  } catch {
    throw invalidCursor();
  }
  const match = /^skills:(\d{1,9})$/.exec(text);
  if (match === null) throw invalidCursor();
  return Number(match[1]);
}

function invalidCursor(): McpError {
  return new McpError(ErrorCode.InvalidParams, "Invalid cursor");
}
