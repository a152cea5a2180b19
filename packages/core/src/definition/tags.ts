/**
 * Tags: labels on tools, prompts, resources and resource templates, and the filter that picks
 * definitions by them (a server's `tags` option, and `mount`'s).
 */
import { PorticoError } from "../errors.ts";

/** Which definitions a filter lets through, by their `tags`. */
export interface TagFilter {
  /** Only definitions with at least one of these tags (default: every definition). */
  include?: readonly string[];
  /** No definition with any of these tags (wins over `include`). */
  exclude?: readonly string[];
}

/** Whether `tags` is a valid `tags` value: absent, or an array of non-empty strings. */
export function validTags(tags: unknown): boolean {
  return tags === undefined || (Array.isArray(tags) && tags.every((t) => typeof t === "string" && t !== ""));
}

/** Checks a filter at configuration time; `where` names its owner in the error. */
export function checkTagFilter(filter: TagFilter | undefined, where: string): void {
  if (filter === undefined) return;
  if (
    typeof filter !== "object" ||
    filter === null ||
    !validTags(filter.include) ||
    !validTags(filter.exclude)
  )
    throw new PorticoError(
      "invalid_tags",
      `${where}: tags must be { include?, exclude? }, each an array of non-empty strings`,
    );
}

/** Whether a definition tagged `tags` passes `filter` (no filter: it does). */
export function passes(filter: TagFilter | undefined, tags: readonly string[] | undefined): boolean {
  if (filter === undefined) return true;
  const has = (t: string) => tags?.includes(t) === true;
  if (filter.include !== undefined && !filter.include.some(has)) return false;
  return filter.exclude === undefined || !filter.exclude.some(has);
}
