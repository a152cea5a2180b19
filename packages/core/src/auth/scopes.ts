/**
 * Per-definition scopes: a tool, resource, resource template or prompt with `scopes` is listed
 * only to callers holding every one of them, and a call of it by anyone else is answered with the
 * authenticator's 403 step-up challenge before it reaches its method.
 */

import type { AuthInfo } from "@portico/host";
import { challengeResponse } from "@portico/host";

/** Of `required`, the scopes `auth` does not hold (empty: it may go ahead). */
export function missingScopes(auth: AuthInfo | undefined, required: readonly string[] | undefined): string[] {
  if (required === undefined || required.length === 0) return [];
  const held = auth?.scopes ?? [];
  return required.filter((scope) => !held.includes(scope));
}

/** Whether `auth` holds every scope of a definition's `scopes`. */
export function mayUse(auth: AuthInfo | undefined, config: { scopes?: readonly string[] }): boolean {
  return config.scopes === undefined || missingScopes(auth, config.scopes).length === 0;
}

/** The core's own step-up answer, for handlers whose authenticator has none. */
export function defaultInsufficientScope(required: readonly string[]): Response {
  return challengeResponse(403, { error: "insufficient_scope", scope: required });
}

/** Checks a definition's `scopes` value at registration: a list of non-empty scope tokens. */
export function validScopes(scopes: unknown): boolean {
  return (
    scopes === undefined ||
    (Array.isArray(scopes) &&
      scopes.every((s) => typeof s === "string" && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)))
  );
}
