/** SHA-256 digests of JSON values (key order does not matter), base64url, for keys and audit lines. */

const encoder = new TextEncoder();

/** JSON text with object keys sorted at every depth, so equal values have equal text. */
export function canonicalText(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(",")}]`;
  const members: string[] = [];
  for (const name of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[name];
    if (item !== undefined) members.push(`${JSON.stringify(name)}:${canonicalText(item)}`);
  }
  return `{${members.join(",")}}`;
}

/** The SHA-256 of `value`'s canonical text (a string is digested as itself), base64url, 43 characters. */
export async function digestOf(value: unknown): Promise<string> {
  const text = typeof value === "string" ? value : canonicalText(value);
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
