/// <reference types="node" />
/**
 * `readSkillsFolder(dir)`: the skills in a folder. Every folder under `dir` holding a `SKILL.md` is
 * a skill at its path relative to `dir` (`pdf-processing`, `acme/billing/refunds`); a skill's files
 * are every file under its folder, nested skills' included (they are also skills of their own).
 * Hidden entries (`.git`, `.DS_Store`) are skipped; symbolic links are refused. Each skill is
 * validated as `addSkills` would.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { PorticoError } from "@portico/core";
import { setOwn } from "../_own.ts";
import { MAX_BYTES } from "../_validate.ts";
import { type SkillDefinition, validateSkill } from "../index.ts";

const SKILL_MD = "SKILL.md";
/** `ignoreBOM`: a byte order mark stays in the text, so its UTF-8 bytes (and digest) are the file's. */
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Reads the skills under `dir`, sorted by path. */
export async function readSkillsFolder(dir: string): Promise<SkillDefinition[]> {
  const info = await lstat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new PorticoError("invalid_config", `Skills folder ${dir} does not exist or is not a folder`);
  }
  const files = await walk(dir);
  const roots = files
    .filter((f) => f === SKILL_MD || f.endsWith(`/${SKILL_MD}`))
    .map((f) => f.slice(0, -SKILL_MD.length).replace(/\/$/, ""));
  if (roots.includes("")) {
    throw new PorticoError(
      "invalid_skill",
      `${join(dir, SKILL_MD)}: the skills folder holds skill folders; move this skill into a folder named after it`,
    );
  }
  const skills: SkillDefinition[] = [];
  for (const root of roots.sort()) {
    const mine = files.filter((f) => f.startsWith(`${root}/`));
    await checkSize(dir, root, mine);
    const entries: Record<string, string | Uint8Array> = {};
    for (const file of mine)
      setOwn(entries, file.slice(root.length + 1), asContent(await readFile(join(dir, file))));
    const skill = { path: root, files: entries };
    validateSkill(skill);
    skills.push(skill);
  }
  return skills;
}

/** Refuses a skill over the extension's byte limit by its files' sizes, before reading any. */
async function checkSize(dir: string, root: string, files: readonly string[]): Promise<void> {
  let total = 0;
  for (const file of files) {
    total += (await lstat(join(dir, file))).size;
    if (total > MAX_BYTES) {
      const at = file.slice(root.length + 1);
      throw new PorticoError(
        "invalid_skill",
        `Skill "${root}" is larger than ${MAX_BYTES} bytes (at file "${at}")`,
      );
    }
  }
}

/** Text when the bytes are UTF-8 without NUL; else the bytes. */
function asContent(buffer: Uint8Array): string | Uint8Array {
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (bytes.includes(0)) return Uint8Array.from(bytes);
  try {
    return decoder.decode(bytes);
  } catch {
    return Uint8Array.from(bytes);
  }
}

/** Every regular file under `dir`, as `/`-separated paths relative to it. */
async function walk(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const full = join(dir, entry.name);
    const rel = relative(base, full).split(sep).join("/");
    if (entry.isSymbolicLink()) {
      throw new PorticoError(
        "invalid_skill",
        `${full}: symbolic links are not bundled; copy the file instead`,
      );
    }
    if (entry.isDirectory()) out.push(...(await walk(full, base)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}
