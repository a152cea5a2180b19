/**
 * `albOidc(options)`: the identity an AWS Application Load Balancer established with its
 * `authenticate-oidc` / `authenticate-cognito` action, read from the `x-amzn-oidc-data` header it
 * adds. The token is verified (ES256 against ALB's regional public key named by `kid`, the signing
 * load balancer, `exp`), never merely decoded: anyone who can reach the target directly can send
 * that header.
 */
import { type Authenticator, type AuthInfo, challengeResponse } from "@portico/host";
import { AlbKeys, KID } from "./_alb-keys.ts";
import { type AlbToken, parseAlbToken, verifyEs256 } from "./_alb-token.ts";
import { unavailableResponse } from "./_answers.ts";
import { type FetchLike, resolveFetch, timeoutOption } from "./_http.ts";
import { triage } from "./_jwt.ts";
import { type AuthErrorReporter, reporter } from "./errors.ts";

/** Options of {@link albOidc}. */
export interface AlbOidcOptions {
  /** The load balancer's region, e.g. `eu-west-1`: its keys are at `public-keys.auth.elb.<region>.amazonaws.com`. */
  region?: string;
  /**
   * Where a key is fetched: a base URL (the `kid` is appended) or `(kid) => url`. Default: ALB's
   * regional endpoint for `region` (one of the two is required).
   */
  keyUrl?: string | ((kid: string) => string);
  /**
   * The ARN(s) of your load balancer(s): the token's `signer` must be one. Strongly recommended:
   * every ALB of the region signs with the same keys, so without it a token minted by someone
   * else's load balancer verifies too, if it can reach your target directly.
   */
  expectedSigner?: string | readonly string[];
  /** Accepted `iss` values (your identity provider's issuer). Default: any. */
  issuer?: string | readonly string[];
  /** Leeway for `exp`, in seconds. Default 30. */
  clockToleranceSeconds?: number;
  /** Timeout of a key fetch, in ms (a whole number from 1 to 2^31−1, about 24.8 days). Default 5000. */
  timeoutMs?: number;
  fetch?: FetchLike;
  /**
   * The key endpoint unreachable, or the budget of fetches of unknown keys (10 a minute) spent, once
   * a minute (requests needing a key then get 503). Default: one `console.error` line.
   */
  onError?: AuthErrorReporter;
}

const HEADER = "x-amzn-oidc-data";
/** ALB tokens carry the IdP's user claims; generous, but bounded before anything is parsed. */
const MAX_TOKEN_BYTES = 16 * 1024;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** r‖s of P-256, as JWS encodes an ES256 signature. */
const ES256_SIGNATURE_BYTES = 64;

function asList(value: string | readonly string[] | undefined): ReadonlySet<string> | undefined {
  return value === undefined ? undefined : new Set(typeof value === "string" ? [value] : value);
}

function keyUrlFor(options: AlbOidcOptions): (kid: string) => string {
  const { keyUrl, region } = options;
  if (typeof keyUrl === "function") return keyUrl;
  if (typeof keyUrl === "string") {
    const base = keyUrl.endsWith("/") ? keyUrl : `${keyUrl}/`;
    return (kid) => `${base}${encodeURIComponent(kid)}`;
  }
  if (typeof region !== "string" || !REGION.test(region)) {
    throw new TypeError("albOidc: `region` (e.g. eu-west-1) or `keyUrl` is required");
  }
  const domain = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return (kid) => `https://public-keys.auth.elb.${region}.${domain}/${encodeURIComponent(kid)}`;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** ALB puts the IdP's issuer in the header; the payload is the user-info answer (rarely with `iss`). */
function issuerOf({ header, payload }: AlbToken): string | undefined {
  return text(header.iss) ?? text(payload.iss);
}

/**
 * The token's expiry: ALB's `exp` is in the header; the payload (the IdP's claims) may carry one
 * too. Both are signed, and the earlier one counts: a payload `exp` never extends ALB's.
 */
function expiryOf({ header, payload }: AlbToken): number | undefined {
  const times = [header.exp, payload.exp].filter(
    (exp): exp is number => typeof exp === "number" && Number.isFinite(exp),
  );
  return times.length === 0 ? undefined : Math.min(...times);
}

function authInfo(token: AlbToken): AuthInfo {
  const { header, payload } = token;
  const extra: Record<string, unknown> = { signer: header.signer };
  for (const claim of ["email", "email_verified", "name", "username"]) {
    if (payload[claim] !== undefined) extra[claim] = payload[claim];
  }
  const info: AuthInfo = { extra, claims: Object.freeze({ ...payload }) };
  const subject = text(payload.sub);
  if (subject !== undefined) info.subject = subject;
  const issuer = issuerOf(token);
  if (issuer !== undefined) info.issuer = issuer;
  const clientId = text(header.client);
  if (clientId !== undefined) info.clientId = clientId;
  const exp = expiryOf(token);
  if (exp !== undefined) info.expiresAt = exp;
  return info;
}

/**
 * An {@link Authenticator} admitting requests whose `x-amzn-oidc-data` verifies; 401 otherwise, or
 * 503 with `Retry-After` while the key the token names cannot be had (the endpoint down, or the
 * budget of fetches of unknown keys spent).
 */
export function albOidc(options: AlbOidcOptions): Authenticator {
  const signers = asList(options.expectedSigner);
  const issuers = asList(options.issuer);
  const leeway = options.clockToleranceSeconds ?? 30;
  if (!Number.isFinite(leeway) || leeway < 0)
    throw new TypeError("albOidc: `clockToleranceSeconds` must be ≥ 0");
  const timeoutMs = timeoutOption(options.timeoutMs, "albOidc");
  const report = reporter(options.onError);
  const keys = new AlbKeys({
    keyUrl: keyUrlFor(options),
    fetch: resolveFetch(options.fetch),
    report,
    timeoutMs,
  });
  const refuse = (): Response => challengeResponse(401, { error: "invalid_token" });

  /**
   * The token if every check passes, else `undefined`. Everything that costs nothing comes first
   * (size, shape, algorithm, signature length, `kid`, signer, lifetime, issuer): a token refused
   * anyway never spends one of the limited fetches of unknown keys.
   */
  async function verify(raw: string): Promise<AlbToken | undefined> {
    if (raw.length > MAX_TOKEN_BYTES) return undefined;
    const token = parseAlbToken(raw);
    if (token === undefined) return undefined;
    const { header, payload } = token;
    if (header.alg !== "ES256") return undefined; // never `none`, never anything else
    if (token.signature.byteLength !== ES256_SIGNATURE_BYTES) return undefined;
    if (typeof header.kid !== "string" || !KID.test(header.kid)) return undefined;
    if (signers !== undefined && !(typeof header.signer === "string" && signers.has(header.signer)))
      return undefined;
    const nowSeconds = Date.now() / 1000;
    const exp = expiryOf(token);
    if (exp === undefined || exp <= nowSeconds - leeway) return undefined;
    if (typeof payload.nbf === "number" && payload.nbf > nowSeconds + leeway) return undefined;
    if (issuers !== undefined && !issuers.has(issuerOf(token) ?? "")) return undefined;
    const key = await keys.get(header.kid);
    if (key === undefined || !(await verifyEs256(key, token))) return undefined;
    return token;
  }

  return {
    async authenticate(request) {
      const raw = request.headers.get(HEADER);
      if (raw === null) return challengeResponse(401, {});
      try {
        const token = await verify(raw);
        if (token === undefined) return refuse();
        const info = authInfo(token);
        // Every token of one ALB names the same client (the ALB's): only `sub` tells callers apart.
        // One without it cannot be told from any other such token, so what the core binds to a
        // caller (legacy sessions, tasks, requestState) would be shared by their holders.
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
