/**
 * A fresh RS256 signing key for the authorization server's JWKS (oidc-provider would otherwise sign
 * with a built-in development key and say so on every start).
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";

export function generateSigningJwk(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid: randomUUID(), alg: "RS256", use: "sig" };
}
