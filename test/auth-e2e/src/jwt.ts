/** Reads a JWT's header and payload without verifying it (the tests check what the AS issued). */

function decodePart(part: string | undefined): Record<string, unknown> {
  if (part === undefined) throw new Error("not a JWT");
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}

export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = token.split(".");
  return { header: decodePart(header), payload: decodePart(payload) };
}
