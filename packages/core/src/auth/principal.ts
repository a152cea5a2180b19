/**
 * Who a caller is, as one comparable text: what a legacy session and a sealed MRTR
 * `requestState` are bound to, so that nobody else can use them.
 */
import type { AuthInfo } from "@portico/host";

/**
 * The caller's principal: issuer, subject and client id, or `null` for an anonymous caller (or an
 * identity that names neither a subject nor a client). Token text and scopes are left out on
 * purpose: a refreshed token or a step-up to more scopes is still the same caller.
 */
export function principalOf(auth: AuthInfo | undefined): string | null {
  if (auth === undefined || (auth.subject === undefined && auth.clientId === undefined)) return null;
  return JSON.stringify([auth.issuer ?? null, auth.subject ?? null, auth.clientId ?? null]);
}
