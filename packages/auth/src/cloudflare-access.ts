/**
 * `cloudflareAccess(options)`: the identity Cloudflare Access established, read from the
 * `Cf-Access-Jwt-Assertion` header it adds to every request it lets through. The token is verified
 * (RS256 against the team's key set at `<team domain>/cdn-cgi/access/certs`, `iss` = the team
 * domain, `aud` containing the application's AUD tag, `exp`), so a request that bypassed Access is
 * refused even if it forges the header.
 */
import { type Authenticator, type AuthInfo, challengeResponse } from "@portico/host";
import { unavailableResponse } from "./_answers.ts";
import { type FetchLike, resolveFetch, timeoutOption } from "./_http.ts";
import { triage, verifyJwt } from "./_jwt.ts";
import { RemoteKeySet } from "./_key-set.ts";
import { type AuthErrorReporter, reporter } from "./errors.ts";

/** Options of {@link cloudflareAccess}. */
export interface CloudflareAccessOptions {
  /** The team domain, e.g. `https://myteam.cloudflareaccess.com` (`https://` is added when missing). */
  teamDomain: string;
  /** The Access application's AUD tag(s); the token's `aud` must contain one. */
  audience: string | readonly string[];
  /** Leeway for `exp`/`nbf`, in seconds. Default 30. */
  clockToleranceSeconds?: number;
  /** Timeout of a key-set fetch, in ms (a whole number from 1 to 2^31−1, about 24.8 days). Default 5000. */
  timeoutMs?: number;
  fetch?: FetchLike;
  /** The key set unreachable (requests then get 503). Default: one `console.error` line. */
  onError?: AuthErrorReporter;
}

const HEADER = "cf-access-jwt-assertion";
const MAX_TOKEN_BYTES = 16 * 1024;

function teamOrigin(teamDomain: string): string {
  if (typeof teamDomain !== "string" || teamDomain === "") {
    throw new TypeError("cloudflareAccess: `teamDomain` is required");
  }
  const withScheme = /^https?:\/\//i.test(teamDomain) ? teamDomain : `https://${teamDomain}`;
  if (!URL.canParse(withScheme)) throw new TypeError("cloudflareAccess: `teamDomain` is not a domain or URL");
  const url = new URL(withScheme);
  if (url.protocol !== "https:" && !["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)) {
    throw new TypeError("cloudflareAccess: `teamDomain` must use https");
  }
  return url.origin;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function authInfo(claims: Record<string, unknown>): AuthInfo {
  const extra: Record<string, unknown> = {};
  for (const claim of ["email", "type", "country", "common_name"]) {
    if (claims[claim] !== undefined) extra[claim] = claims[claim];
  }
  const info: AuthInfo = { extra, claims: Object.freeze({ ...claims }) };
  // A user's token has `sub`; a service token's has an empty `sub` and its client id in `common_name`.
  const serviceToken = text(claims.common_name);
  const subject = text(claims.sub) ?? serviceToken;
  if (subject !== undefined) info.subject = subject;
  if (serviceToken !== undefined) info.clientId = serviceToken;
  const issuer = text(claims.iss);
  if (issuer !== undefined) info.issuer = issuer;
  if (typeof claims.exp === "number") info.expiresAt = claims.exp;
  return info;
}

/** An {@link Authenticator} admitting requests whose Access assertion verifies; 401 otherwise. */
export function cloudflareAccess(options: CloudflareAccessOptions): Authenticator {
  const origin = teamOrigin(options.teamDomain);
  const audience = typeof options.audience === "string" ? [options.audience] : [...(options.audience ?? [])];
  if (audience.length === 0 || audience.some((a) => typeof a !== "string" || a === "")) {
    throw new TypeError("cloudflareAccess: `audience` (the application's AUD tag) is required");
  }
  const leeway = options.clockToleranceSeconds ?? 30;
  if (!Number.isFinite(leeway) || leeway < 0) {
    throw new TypeError("cloudflareAccess: `clockToleranceSeconds` must be ≥ 0");
  }
  const timeoutMs = timeoutOption(options.timeoutMs, "cloudflareAccess");
  const report = reporter(options.onError);
  const keys = new RemoteKeySet({
    source: "jwks",
    url: `${origin}/cdn-cgi/access/certs`,
    fetch: resolveFetch(options.fetch),
    report,
    now: () => Date.now(),
    maxAgeMs: 600_000,
    cooldownMs: 30_000,
    backoffMs: 5_000,
    timeoutMs,
  });
  const refuse = (): Response => challengeResponse(401, { error: "invalid_token" });

  return {
    async authenticate(request) {
      const token = request.headers.get(HEADER);
      if (token === null) return challengeResponse(401, {});
      if (token.length > MAX_TOKEN_BYTES) return refuse();
      try {
        const claims = await verifyJwt(token, keys.getKey, {
          algorithms: ["RS256"],
          issuer: origin,
          audience,
          requiredClaims: ["exp"],
          clockTolerance: leeway,
        });
        const info = authInfo(claims);
        // A token naming no one (no `sub`, no service token's `common_name`) cannot be told from
        // any other such token: what the core binds to a caller would be shared by their holders.
        return info.subject === undefined ? refuse() : info;
      } catch (error) {
        const failure = triage(error);
        if (failure.kind === "unavailable") return unavailableResponse(failure.error.retryAfterSeconds);
        if (failure.kind === "bug") report(error, "verify");
        return refuse();
      }
    },
  };
}
