/**
 * The SHA-1 of a script's text, which `EVALSHA` names it by: computed once per script, on first
 * use, with Web Crypto (Node, Workers, Edge and Deno alike; no `node:crypto`).
 */

/** Per script text: its digest, or the computation still running. */
const digests = new Map<string, string | Promise<string | undefined>>();

/**
 * The script's SHA-1 in lowercase hex (as Redis names cached scripts), synchronously once known.
 * `undefined` where Web Crypto has no SHA-1: then the caller sends the script itself (`EVAL`).
 */
export function scriptSha(script: string): string | Promise<string | undefined> {
  const known = digests.get(script);
  if (known !== undefined) return known;
  const computing = sha1(script).then((sha) => {
    if (sha === undefined) digests.delete(script);
    else digests.set(script, sha);
    return sha;
  });
  digests.set(script, computing);
  return computing;
}

async function sha1(text: string): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return undefined;
  try {
    const digest = await subtle.digest("SHA-1", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
  } catch {
    return undefined;
  }
}
