/** A compiled skill's entry: its SKILL.md URI, verbatim front matter and every file's digest and size. */
import { sha256Digest } from "./_bytes.ts";
import type { CompiledSkill } from "./_validate.ts";
import type { SkillEntry } from "./types.ts";

/** Computes the entry (WebCrypto SHA-256 of each file's raw bytes). */
export async function entryOf(skill: CompiledSkill): Promise<SkillEntry> {
  const resources = await Promise.all(
    skill.files.map(async (f) => ({ uri: f.uri, digest: await sha256Digest(f.bytes), size: f.bytes.length })),
  );
  return deepFreeze({ uri: skill.uri, frontmatter: structuredClone(skill.frontmatter), resources });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
