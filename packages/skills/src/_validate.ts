/**
 * Checks one skill definition and compiles it into what the catalog serves: its URIs, files (bytes,
 * mime types) and front matter. Every error is a `PorticoError` naming the skill and the file.
 */
import { PorticoError } from "@portico/core";
import { bytesOf } from "./_bytes.ts";
import { FrontmatterError, parseFrontmatter } from "./_frontmatter.ts";
import { mimeTypeOf } from "./_mime.ts";
import type { SkillDefinition } from "./types.ts";

export const SKILL_MD = "SKILL.md";
export const SCHEME = "skill://";
/** The extension's limits: files per skill and bytes per skill. */
export const MAX_FILES = 512;
export const MAX_BYTES = 16 * 1024 * 1024;
const MAX_PATH_CHARS = 1024;
const MAX_DESCRIPTION_CHARS = 1024;
const RESERVED_METADATA_PREFIX = "io.modelcontextprotocol/";

/** Agent Skills naming: 1–64 lowercase letters, digits and single inner hyphens. */
const NAME = /^(?!.*--)[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** RFC 3986 reg-name (the first path segment sits in the URI's authority). */
const REG_NAME = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;
/**
 * A dot segment, percent-encoded or not: URI normalisation (RFC 3986 §6.2.2.2, WHATWG
 * URL) reads `%2e%2e` as `..`.
 */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
/** RFC 3986 segment (pchar*), for the other prefix segments. */
const SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;

/** One file of a compiled skill. */
export interface CompiledFile {
  /** Its path inside the skill, as given (`references/FORMS.md`). */
  readonly path: string;
  readonly uri: string;
  readonly bytes: Uint8Array;
  /** The text, for files given as strings (served as `text`); else served as a `blob`. */
  readonly text: string | undefined;
  readonly mimeType: string;
}

/** A checked skill. */
export interface CompiledSkill {
  readonly path: string;
  readonly name: string;
  /** `skill://<path>/SKILL.md`. */
  readonly uri: string;
  /** `skill://<path>`. */
  readonly root: string;
  readonly frontmatter: Record<string, unknown>;
  /** By path inside the skill, sorted; `SKILL.md` first. */
  readonly files: readonly CompiledFile[];
}

export interface Limits {
  readonly maxFiles: number;
  readonly maxBytes: number;
}

function fail(message: string): never {
  throw new PorticoError("invalid_skill", message);
}

/** Checks a skill path (`pdf-processing`, `acme/billing/refunds`); returns its segments. */
export function checkSkillPath(path: unknown): string[] {
  if (typeof path !== "string" || path === "") fail('A skill needs a path (e.g. "pdf-processing")');
  const label = JSON.stringify(path.slice(0, 80));
  if (path.length > MAX_PATH_CHARS) fail(`Skill path ${label}… is longer than ${MAX_PATH_CHARS} characters`);
  const segments = path.split("/");
  if (segments.some((s) => s === "" || DOT_SEGMENT.test(s))) {
    fail(`Skill path ${label} has an empty, "." or ".." segment (no leading, trailing or double slashes)`);
  }
  const [first] = segments as [string, ...string[]];
  if (segments.length > 1 && !REG_NAME.test(first)) {
    fail(
      `Skill path ${label}: its first segment "${first}" is the URI authority and must be an RFC 3986 reg-name`,
    );
  }
  for (const segment of segments.slice(1, -1)) {
    if (!SEGMENT.test(segment))
      fail(`Skill path ${label}: segment "${segment}" is not a valid URI path segment`);
  }
  const name = segments.at(-1) as string;
  if (!NAME.test(name)) {
    fail(
      `Skill path ${label}: its last segment "${name}" is the skill name and must be 1-64 lowercase letters, digits and hyphens (no leading, trailing or consecutive hyphens)`,
    );
  }
  return segments;
}

/** Checks a file path inside a skill; returns its URI-encoded form. */
function encodeFilePath(skill: string, file: string): string {
  const where = `Skill "${skill}": file ${JSON.stringify(file.slice(0, 120))}`;
  if (file === "" || file.length > MAX_PATH_CHARS)
    fail(`${where} needs a path of 1-${MAX_PATH_CHARS} characters`);
  if (file.startsWith("/") || /^[A-Za-z]:/.test(file) || file.includes("\\")) {
    fail(`${where} must be a relative path with "/" separators`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(file)) fail(`${where} contains a control character`);
  const segments = file.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    fail(`${where} has an empty, "." or ".." segment: files must stay inside the skill`);
  }
  try {
    return segments.map(encodeURIComponent).join("/");
  } catch {
    fail(`${where} is not well-formed Unicode (a lone surrogate has no URI form)`);
  }
}

function checkFrontmatter(path: string, name: string, frontmatter: Record<string, unknown>): void {
  const where = `Skill "${path}": ${SKILL_MD} front matter`;
  if (typeof frontmatter.name !== "string" || frontmatter.name === "")
    fail(`${where} needs a non-empty "name"`);
  const { description } = frontmatter;
  if (typeof description !== "string" || description.trim() === "")
    fail(`${where} needs a non-empty "description"`);
  if (description.length > MAX_DESCRIPTION_CHARS) {
    fail(`${where}: "description" is longer than ${MAX_DESCRIPTION_CHARS} characters`);
  }
  if (frontmatter.name !== name) {
    fail(
      `${where}: "name" is "${frontmatter.name}" but the path's last segment is "${name}"; they must be equal`,
    );
  }
  const { metadata } = frontmatter;
  if (
    metadata !== undefined &&
    (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))
  ) {
    fail(`${where}: "metadata" must be a mapping`);
  }
  for (const key of Object.keys((metadata as Record<string, unknown> | undefined) ?? {})) {
    if (key.startsWith(RESERVED_METADATA_PREFIX)) {
      fail(
        `${where}: metadata key "${key}" uses the prefix "${RESERVED_METADATA_PREFIX}", reserved for MCP extensions`,
      );
    }
  }
}

/** Checks `definition` and compiles it; throws a `PorticoError` naming the skill and the file. */
export function compileSkill(definition: SkillDefinition, limits: Limits): CompiledSkill {
  if (typeof definition !== "object" || definition === null)
    fail("A skill must be an object { path, files }");
  const segments = checkSkillPath(definition.path);
  const path = segments.join("/");
  const name = segments.at(-1) as string;
  const given = definition.files;
  if (typeof given !== "object" || given === null)
    fail(`Skill "${path}" needs files: { "SKILL.md": "…", … }`);
  const names = Object.keys(given);
  if (names.length > limits.maxFiles)
    fail(`Skill "${path}" has ${names.length} files; the limit is ${limits.maxFiles}`);
  const root = `${SCHEME}${path}`;
  const files: CompiledFile[] = [];
  let total = 0;
  for (const file of names) {
    const encoded = encodeFilePath(path, file);
    const content = given[file];
    if (typeof content !== "string" && !(content instanceof Uint8Array)) {
      fail(`Skill "${path}": file "${file}" must be a string or a Uint8Array`);
    }
    const bytes = bytesOf(content);
    total += bytes.length;
    if (total > limits.maxBytes)
      fail(`Skill "${path}" is larger than ${limits.maxBytes} bytes (at file "${file}")`);
    const text = typeof content === "string" ? content : undefined;
    const base = file.slice(file.lastIndexOf("/") + 1);
    const mimeType = file === SKILL_MD ? "text/markdown" : mimeTypeOf(base, text !== undefined);
    files.push({ path: file, uri: `${root}/${encoded}`, bytes, text, mimeType });
  }
  const skillMd = files.find((f) => f.path === SKILL_MD);
  if (skillMd === undefined) fail(`Skill "${path}" has no ${SKILL_MD} at its root`);
  if (skillMd.text === undefined) fail(`Skill "${path}": ${SKILL_MD} must be given as text`);
  let frontmatter: Record<string, unknown>;
  try {
    frontmatter = parseFrontmatter(skillMd.text);
  } catch (error) {
    if (error instanceof FrontmatterError) fail(`Skill "${path}": ${SKILL_MD} ${error.message}`);
    throw error;
  }
  checkFrontmatter(path, name, frontmatter);
  files.sort((a, b) => (a.path === SKILL_MD ? -1 : b.path === SKILL_MD ? 1 : a.path < b.path ? -1 : 1));
  return { path, name, uri: skillMd.uri, root, frontmatter, files };
}

/** Checks the options' limits (positive integers). */
export function checkLimit(what: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value > 0)) {
    throw new PorticoError("invalid_config", `${what} must be a positive integer, got ${value}`);
  }
  return value;
}
