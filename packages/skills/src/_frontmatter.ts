/**
 * A `SKILL.md`'s YAML front matter: the block between a leading `---` line and the next `---` line,
 * parsed with `yaml` into a plain JSON object (what an entry's `frontmatter` carries verbatim).
 */
import { parse } from "yaml";

const BLOCK = /^---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n|$)/;

/** Why a front matter is refused (the caller names the skill and file). */
export class FrontmatterError extends Error {}

/** The front matter of `text` as a JSON object; throws `FrontmatterError` when absent or not JSON-safe. */
export function parseFrontmatter(text: string): Record<string, unknown> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const match = BLOCK.exec(body);
  if (match === null) {
    throw new FrontmatterError("does not begin with YAML front matter (a `---` line, YAML, a `---` line)");
  }
  let value: unknown;
  try {
    value = parse(match[1] ?? "", { maxAliasCount: 100, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new FrontmatterError(`has front matter that is not valid YAML: ${reason}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FrontmatterError("has front matter that is not a YAML mapping");
  }
  checkJson(value, "front matter");
  return value as Record<string, unknown>;
}

/** Refuses what JSON cannot carry as is (dates, non-finite numbers, non-string keys, …). */
function checkJson(value: unknown, where: string): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new FrontmatterError(`has a non-finite number at ${where}`);
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) checkJson(item, `${where}[${i}]`);
    return;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) checkJson(item, `${where}.${key}`);
    return;
  }
  throw new FrontmatterError(`has a value JSON cannot carry at ${where}`);
}
