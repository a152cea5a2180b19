/**
 * JWT signature and claim checks with jose, and the triage of what went wrong: a bad token (401,
 * silently), a dependency that is down (503, reported where it failed), or a bug (reported).
 */
import {
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from "jose";
import { AuthUnavailableError } from "./errors.ts";

/** The token is not acceptable (signature, claims, shape); the reason stays on the server. */
export class TokenRejected extends Error {
  override readonly name = "TokenRejected";
}

/** What a failed verification means for the answer. */
export type Failure =
  | { kind: "invalid" }
  | { kind: "unavailable"; error: AuthUnavailableError }
  | { kind: "bug" };

export function triage(error: unknown): Failure {
  if (error instanceof AuthUnavailableError) return { kind: "unavailable", error };
  if (error instanceof TokenRejected || error instanceof errors.JOSEError) return { kind: "invalid" };
  return { kind: "bug" };
}

/** The asymmetric algorithms accepted by default (never `none`, never HS*). */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];

export const HMAC_ALGORITHMS: readonly string[] = ["HS256", "HS384", "HS512"];

/** `typ` values an access token may carry (RFC 9068 `at+jwt`, plain `JWT`), or none. */
const ACCEPTED_TYPES = new Set(["at+jwt", "jwt"]);

/**
 * The protected header, checked before any key is looked up, so that a token the policy refuses
 * anyway (an algorithm not allowed, an ID token's or a logout token's `typ`) never triggers a fetch.
 */
export function precheckHeader(token: string, algorithms: ReadonlySet<string>): void {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new TokenRejected("undecodable header");
  }
  if (typeof header.alg !== "string" || !algorithms.has(header.alg)) throw new TokenRejected("algorithm");
  if (header.typ !== undefined) {
    const typ = typeof header.typ === "string" ? header.typ.toLowerCase().replace(/^application\//, "") : "";
    if (!ACCEPTED_TYPES.has(typ)) throw new TokenRejected("typ");
  }
  if (header.kid !== undefined && typeof header.kid !== "string") throw new TokenRejected("kid");
}

/**
 * `jwtVerify`, also when a key set holds several keys the token could match (no `kid`): each is
 * tried in turn, as jose leaves that to its caller.
 */
export async function verifyJwt(
  token: string,
  key: JWTVerifyGetKey | CryptoKey | Uint8Array,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, key as JWTVerifyGetKey, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const candidate of error) {
      try {
        return (await jwtVerify(token, candidate, options)).payload;
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new TokenRejected("no key verifies the signature");
  }
}
