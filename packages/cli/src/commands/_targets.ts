import { CliError, usageError } from "../_errors.ts";

/** Whether a target is a URL (else it is a tools module). */
export function isUrl(target: string): boolean {
  return /^https?:\/\//i.test(target);
}

/** A URL target that does not parse is one line, exit 2. */
export function checkUrl(target: string): void {
  if (!URL.canParse(target)) throw new CliError(`${JSON.stringify(target)} is not a valid URL`, 2);
}

/** `--header` values (`name: value` or `name:value`) as a record. */
export function parseHeaders(values: readonly string[], usage: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of values) {
    const at = pair.indexOf(":");
    const name = pair.slice(0, at).trim();
    if (at <= 0 || name === "")
      throw usageError(`--header ${JSON.stringify(pair)} is not "name: value"`, usage);
    headers[name] = pair.slice(at + 1).trim();
  }
  return headers;
}
