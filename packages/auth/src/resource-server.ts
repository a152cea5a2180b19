/**
 * `oauthResourceServer(options)`: the MCP server as an OAuth 2.1 resource server (MCP authorization,
 * RFC 9728, RFC 6750, RFC 8707, RFC 9068, RFC 7662). It serves its Protected Resource Metadata,
 * reads `Authorization: Bearer`, verifies the token (a JWT against the issuer's keys, or an opaque
 * token by introspection) and answers every refusal with the challenge a client acts on.
 */
import { type Authenticator, type AuthInfo, challengeResponse } from "@portico/host";
import { decodeJwt, type JWTVerifyGetKey, type JWTVerifyOptions } from "jose";
import { unavailableResponse } from "./_answers.ts";
import { looksLikeJwt, readCredentials } from "./_bearer.ts";
import {
  audienceMatcher,
  authInfoFrom,
  type Claims,
  hasRequiredClaims,
  isScopeToken,
  unionScopes,
  withinLifetime,
} from "./_claims.ts";
import { precheckHeader, TokenRejected, triage, verifyJwt } from "./_jwt.ts";
import { metadataDocument, metadataLocation, serveMetadata } from "./_metadata.ts";
import { type Resolved, resolveOptions } from "./_resolve.ts";
import type { OAuthResourceServerOptions } from "./resource-server-options.ts";

/** Never asked for in a challenge: refresh tokens are not a resource requirement (MCP, "Refresh Tokens"). */
const NOT_CHALLENGED = "offline_access";

function keyFor(config: Resolved, token: string): JWTVerifyGetKey | Uint8Array {
  const { keys } = config;
  switch (keys.kind) {
    case "keys":
      return keys.getKey;
    case "secret":
      return keys.secret;
    case "discovered": {
      // Which issuer's keys: read from the unverified payload, and only an accepted issuer is
      // looked up (a token naming any other issuer is refused without a fetch). The signature
      // check that follows proves the choice.
      const { iss } = decodeJwt(token);
      const set = typeof iss === "string" ? keys.byIssuer.get(iss) : undefined;
      if (set === undefined) throw new TokenRejected("issuer");
      return set.getKey;
    }
    case "none":
      throw new TokenRejected("no key source");
  }
}

/**
 * An {@link Authenticator} for `createHandler(server, { auth })`. Constructing it checks the
 * options (a `TypeError` names a wrong one) and performs no I/O: keys and metadata are fetched on
 * first use and cached across requests.
 */
export function oauthResourceServer(options: OAuthResourceServerOptions): Authenticator {
  const config = resolveOptions(options);
  const location = metadataLocation(config.resourceUrl);
  const document = metadataDocument({
    resource: config.resource,
    authorizationServers: config.authorizationServers,
    scopesSupported: config.scopesSupported,
    resourceName: config.resourceName,
    resourceDocumentation: config.resourceDocumentation,
  });
  const audienceOf = audienceMatcher(config.audience);
  const issuers = new Set(config.issuers);
  const challengeScope = config.requiredScopes.length > 0 ? config.requiredScopes : config.scopesSupported;
  const jwtOptions: JWTVerifyOptions = {
    algorithms: [...config.algorithms],
    issuer: [...config.issuers],
    requiredClaims: ["exp"],
    clockTolerance: config.leeway,
  };

  const unauthorized = (error?: "invalid_token" | "invalid_request"): Response =>
    challengeResponse(401, {
      resourceMetadata: location.url,
      ...(challengeScope !== undefined ? { scope: challengeScope } : {}),
      ...(error !== undefined ? { error } : {}),
    });

  /**
   * The scopes a 403 asks for: those the operation needs, plus `requiredScopes`, plus what the
   * caller already holds. MCP 2026-07-28 makes keeping earlier grants the client's job (its step-up
   * flow takes the union of what it had and what the challenge names), but clients of the
   * 2025-11-25 era — which this server also serves — re-authorize with the challenged scopes as
   * they are, and would lose every scope the challenge left out (and then bounce between tools).
   * 2025-11-25 recommends exactly this union for that reason; for a modern client the union
   * changes nothing. `offline_access` is left out (MCP: not a resource requirement).
   */
  const stepUp = (required: readonly string[], auth: AuthInfo | undefined): Response =>
    challengeResponse(403, {
      error: "insufficient_scope",
      // Only scope-tokens: a token's claims may hold anything, and a header cannot carry everything.
      scope: unionScopes(required, config.requiredScopes, auth?.scopes).filter(
        (s) => s !== NOT_CHALLENGED && isScopeToken(s),
      ),
      resourceMetadata: location.url,
    });

  /** Audience (RFC 8707: issued for this resource) and the configured claim values. */
  const intendedForUs = (claims: Claims): boolean =>
    audienceOf(config.audienceClaim === "aud" ? claims.aud : claims.client_id) &&
    hasRequiredClaims(claims, config.requiredClaims);

  async function verifiedJwt(token: string): Promise<Claims> {
    precheckHeader(token, config.algorithms);
    const payload = await verifyJwt(token, keyFor(config, token), {
      ...jwtOptions,
      currentDate: new Date(config.now()),
    });
    if (!intendedForUs(payload)) throw new TokenRejected("audience");
    return payload;
  }

  async function introspected(token: string): Promise<Claims> {
    const claims = await config.introspection!.introspector.introspect(token);
    if (claims === undefined) throw new TokenRejected("inactive");
    // An endpoint may answer `active: true` for a refresh token too: not one to call us with.
    if (saysRefreshToken(claims)) throw new TokenRejected("token type");
    // An answer without `iss` is vouched for by the configured endpoint; one naming another issuer is not ours.
    if (claims.iss !== undefined && !issuers.has(claims.iss as string)) throw new TokenRejected("issuer");
    if (!withinLifetime(claims, Math.floor(config.now() / 1000), config.leeway, false)) {
      throw new TokenRejected("lifetime");
    }
    if (!intendedForUs(claims)) throw new TokenRejected("audience");
    return claims;
  }

  function claimsOf(token: string): Promise<Claims> {
    if (config.introspection?.all === true) return introspected(token);
    if (looksLikeJwt(token)) return verifiedJwt(token);
    if (config.introspection !== undefined) return introspected(token);
    return Promise.reject(new TokenRejected("not a JWT and no introspection"));
  }

  return {
    serve(request) {
      return serveMetadata(request, location, document);
    },

    async authenticate(request) {
      // CORS preflights never carry credentials; the core answers them without doing anything.
      if (request.method === "OPTIONS") return undefined;
      const credentials = readCredentials(request, config.maxTokenBytes);
      switch (credentials.kind) {
        case "none":
          return unauthorized();
        case "query":
          return unauthorized("invalid_request");
        case "malformed":
          return unauthorized("invalid_token");
      }
      let claims: Claims;
      try {
        claims = await claimsOf(credentials.token);
      } catch (error) {
        const failure = triage(error);
        if (failure.kind === "unavailable") return unavailableResponse(failure.error.retryAfterSeconds);
        if (failure.kind === "bug") config.report(error, "verify");
        return unauthorized("invalid_token");
      }
      const auth = authInfoFrom(credentials.token, claims);
      // A token naming neither its subject nor its client is indistinguishable from every other
      // such token: what the core binds to a caller (legacy sessions, tasks, requestState) would
      // be shared by all their holders. RFC 9068 requires both `sub` and `client_id`.
      if (auth.subject === undefined && auth.clientId === undefined) return unauthorized("invalid_token");
      const granted = new Set(auth.scopes);
      if (!config.requiredScopes.every((scope) => granted.has(scope))) return stepUp([], auth);
      return auth;
    },

    insufficientScope(_request, required, auth) {
      return stepUp(required, auth);
    },
  };
}

/**
 * Whether an introspection answer says its token is a refresh token: RFC 7662's `token_type`, and
 * the `token_use` (Ory Hydra) or `typ` (Keycloak: `"Refresh"`) fields some servers answer with.
 */
function saysRefreshToken(claims: Claims): boolean {
  for (const field of [claims.token_type, claims.token_use, claims.typ]) {
    if (typeof field === "string" && field.toLowerCase().includes("refresh")) return true;
  }
  return false;
}
