/** How a skill is kept in the session store: plain JSON, text as is, bytes as base64. */
import { fromBase64, sha256Digest, toBase64 } from "./_bytes.ts";
import type { SkillDefinition } from "./types.ts";

type StoredFile = { text: string } | { base64: string };

/** A skill record's value. */
export interface StoredSkill {
  path: string;
  files: Record<string, StoredFile>;
}

/** The index document: each path's record hash. */
export interface StoredIndex {
  skills: Record<string, string>;
}

export function toStored(skill: SkillDefinition): StoredSkill {
  const files: Record<string, StoredFile> = {};
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
    files[name] = "text" in file ? file.text : fromBase64(file.base64);
  }
  return { path: stored.path, files };
}

export function readIndex(value: unknown): StoredIndex {
  const skills = (value as Partial<StoredIndex> | undefined)?.skills;
  if (typeof skills !== "object" || skills === null) return { skills: {} };
  return { skills: { ...skills } };
}

/** The content hash a record is stored under (hex of the SHA-256 of its JSON). */
export async function hashOf(stored: StoredSkill): Promise<string> {
  return (await sha256Digest(new TextEncoder().encode(JSON.stringify(stored)))).slice("sha256:".length);
}
