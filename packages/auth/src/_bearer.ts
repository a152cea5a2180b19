/**
 * The bearer credentials of a request (RFC 6750 §2.1): `Authorization: Bearer <token68>`, the scheme
 * case-insensitive, one or more spaces, then a strict token68. Anything else in `Authorization` is
 * malformed. Tokens in the query string (`?access_token=`, RFC 6750 §2.3) are refused: MCP forbids
 * them (they end up in logs and histories).
 */

export type Credentials =
  | { kind: "none" }
  | { kind: "malformed" }
  | { kind: "query" }
  | { kind: "token"; token: string };

/** `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="` (RFC 9110 §11.2). */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** How long an `Authorization` value may be beyond the token itself ("Bearer" and its spaces). */
const HEADER_SLACK = 64;

export function readCredentials(request: Request, maxTokenBytes: number): Credentials {
  // The name is percent-decoded like any parameter (`access%5Ftoken`), so any query is parsed.
  if (request.url.includes("?") && new URL(request.url).searchParams.has("access_token")) {
    return { kind: "query" };
  }
  const header = request.headers.get("authorization");
  if (header === null) return { kind: "none" };
  // Checked before any regex runs, so a huge header costs nothing.
  if (header.length > maxTokenBytes + HEADER_SLACK) return { kind: "malformed" };
  const match = BEARER.exec(header);
  const token = match?.[1];
  if (token === undefined || token.length > maxTokenBytes) return { kind: "malformed" };
  return { kind: "token", token };
}

/** Three base64url segments: a JWS compact serialization (the signature may be empty; jose refuses `alg: none`). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}
