/** How a skill is kept in the session store: plain JSON, text as is, bytes as base64. */
import { fromBase64, sha256Digest, toBase64 } from "./_bytes.ts";
import { emptyRecord, setOwn } from "./_own.ts";
import type { SkillDefinition } from "./types.ts";

type StoredFile = { text: string } | { base64: string };

/** A skill record's value. */
export interface StoredSkill {
  path: string;
  files: Record<string, StoredFile>;
}

/** The index document: each path's record hash (`skills` has no prototype: read it as own keys). */
export interface StoredIndex {
  skills: Record<string, string>;
}

export function toStored(skill: SkillDefinition): StoredSkill {
  const files = emptyRecord<StoredFile>();
  for (const name of Object.keys(skill.files).sort()) {
    const content = skill.files[name] as string | Uint8Array;
    files[name] = typeof content === "string" ? { text: content } : { base64: toBase64(content) };
  }
  return { path: skill.path, files };
}

export function fromStored(value: unknown): SkillDefinition {
  const stored = value as StoredSkill;
  if (typeof stored !== "object" || stored === null || typeof stored.path !== "string") {
    throw new TypeError("a stored skill record is malformed");
  }
  const files: Record<string, string | Uint8Array> = {};
  for (const [name, file] of Object.entries(stored.files ?? {})) {
    setOwn(files, name, "text" in file ? file.text : fromBase64(file.base64));
  }
  return { path: stored.path, files };
}

/** The index in `value` (its string entries), in a record with no prototype. */
export function readIndex(value: unknown): StoredIndex {
  const given = (value as Partial<StoredIndex> | undefined)?.skills;
  const skills = emptyRecord<string>();
  if (typeof given === "object" && given !== null) {
    for (const [path, hash] of Object.entries(given)) if (typeof hash === "string") skills[path] = hash;
  }
  return { skills };
}

/** The content hash a record is stored under (hex of the SHA-256 of its JSON). */
export async function hashOf(stored: StoredSkill): Promise<string> {
  return (await sha256Digest(new TextEncoder().encode(JSON.stringify(stored)))).slice("sha256:".length);
}
