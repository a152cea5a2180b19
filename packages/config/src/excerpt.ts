/**
 * Bounded, clean excerpts of an API's text for error results: the reason phrase and the body of
 * a non-2xx answer are the API's, of any length and with any bytes (a 12 KB reason phrase naming
 * an internal host, with terminal escape sequences, reached clients whole).
 */

/** The most of a reason phrase an error result shows. */
export const MAX_REASON_CHARS = 100;
/** The most of a body an error result shows. */
export const MAX_BODY_CHARS = 500;

/**
 * At most `max` characters of `raw` (the last one `…` when cut), runs of control characters as one
 * space. Only the first `4 × max` characters are looked at: a body may be megabytes long.
 */
export function excerpt(raw: string, max: number): string {
  const head = raw.length > max * 4 ? raw.slice(0, max * 4) : raw;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = head.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return clean.length > max || head !== raw ? `${clean.slice(0, max - 1)}…` : clean;
}
