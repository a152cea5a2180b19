/**
 * RFC 6750 `Bearer` challenges and the 401/403 answers that carry them, shared by the core (its
 * default step-up answer) and every authenticator, so the wire looks the same whoever refuses.
 */
import { HOST_ERROR_HEADERS } from "./errors.ts";

/** The parameters of a `WWW-Authenticate: Bearer …` challenge. */
export interface BearerChallenge {
  /** `invalid_request`, `invalid_token` or `insufficient_scope` (RFC 6750 §3.1); absent when no credentials came. */
  error?: "invalid_request" | "invalid_token" | "insufficient_scope";
  /** A short human-readable reason (never a token's content or a stack). */
  errorDescription?: string;
  /** Scopes the request needs, space-separated on the wire. */
  scope?: readonly string[];
  /** The Protected Resource Metadata URL (RFC 9728 §5.1). */
  resourceMetadata?: string;
  realm?: string;
}

/**
 * A quoted-string: `"` and `\` escaped, control characters dropped, and characters above U+00FF
 * too (a header value is a byte string: `Headers` would refuse the whole challenge).
 */
function quoted(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it drops
  return `"${value.replace(/[\u0000-\u001f\u007f\u0100-\uffff]/g, "").replace(/["\\]/g, "\\$&")}"`;
}

/** The `WWW-Authenticate` header value for `challenge`. */
export function bearerChallenge(challenge: BearerChallenge): string {
  const params: string[] = [];
  if (challenge.realm !== undefined) params.push(`realm=${quoted(challenge.realm)}`);
  if (challenge.resourceMetadata !== undefined)
    params.push(`resource_metadata=${quoted(challenge.resourceMetadata)}`);
  if (challenge.scope !== undefined && challenge.scope.length > 0)
    params.push(`scope=${quoted(challenge.scope.join(" "))}`);
  if (challenge.error !== undefined) params.push(`error=${quoted(challenge.error)}`);
  if (challenge.errorDescription !== undefined)
    params.push(`error_description=${quoted(challenge.errorDescription)}`);
  return params.length === 0 ? "Bearer" : `Bearer ${params.join(", ")}`;
}

/**
 * A 401 (no or bad credentials) or 403 (insufficient scope) answer: the challenge in
 * `WWW-Authenticate` and a JSON-RPC error body (`id: null`) with a fixed message.
 */
export function challengeResponse(status: 401 | 403, challenge: BearerChallenge): Response {
  const message = status === 401 ? "Unauthorized" : "Forbidden: insufficient scope";
  const body = JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message } });
  return new Response(body, {
    status,
    headers: { ...HOST_ERROR_HEADERS, "www-authenticate": bearerChallenge(challenge) },
  });
}
