/**
 * The time of a log line as ISO 8601 text (`Date.prototype.toISOString`'s form). Formatting a date
 * costs more than the rest of a line's fields on a busy server (~1.5 µs), and every line of the same
 * second shares all but its milliseconds: that part is made once per second.
 */

let second = Number.NaN;
let prefix = "";

/** `new Date(ms).toISOString()`, with the text up to the seconds made once per second. */
export function isoTime(ms: number = Date.now()): string {
  const s = Math.floor(ms / 1000);
  if (s !== second) {
    const iso = new Date(s * 1000).toISOString();
    // "…T09:04:29.000Z" → "…T09:04:29." (a year past 9999 has a longer prefix, the same ending).
    prefix = iso.slice(0, -4);
    second = s;
  }
  const milli = ms - s * 1000;
  return `${prefix}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}

/** A duration in milliseconds as written on a line: two decimals. */
export const roundMs = (ms: number): number => Math.round(ms * 100) / 100;
