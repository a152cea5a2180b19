/**
 * `oauthResourceServer` options checked and completed, once, at construction. A mistake throws a
 * `TypeError` naming the option (at deploy time, not at the first request). Nothing here performs
 * I/O or draws random values: key sets and discovery are created idle and fetch on first use.
 */
import type { JWTVerifyGetKey } from "jose";
import { canonicalUri, isScopeToken } from "./_claims.ts";
import { IssuerMetadata } from "./_discovery.ts";
import { type FetchLike, isSecureUrl, resolveFetch, timeoutOption } from "./_http.ts";
import { Introspector } from "./_introspection.ts";
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from "./_jwt.ts";
import { publicKeySet, RemoteKeySet } from "./_key-set.ts";
import { type AuthErrorReporter, reporter } from "./errors.ts";
import type { OAuthResourceServerOptions } from "./resource-server-options.ts";

/** How long a failed dependency is left alone (and the Retry-After answered meanwhile). */
export const BACKOFF_MS = 5_000;

const KNOWN_ALGORITHMS = new Set([
  ...ASYMMETRIC_ALGORITHMS,
  ...HMAC_ALGORITHMS,
  "Ed25519",
  "ML-DSA-44",
  "ML-DSA-65",
  "ML-DSA-87",
]);

export type KeySource =
  | { kind: "keys"; getKey: JWTVerifyGetKey }
  | { kind: "discovered"; byIssuer: ReadonlyMap<string, RemoteKeySet> }
  | { kind: "secret"; secret: Uint8Array }
  | { kind: "none" };

export interface Resolved {
  resource: string;
  resourceUrl: URL;
  authorizationServers: readonly string[];
  issuers: readonly string[];
  audience: readonly string[];
  audienceClaim: "aud" | "client_id";
  algorithms: ReadonlySet<string>;
  keys: KeySource;
  leeway: number;
  scopesSupported: readonly string[] | undefined;
  requiredScopes: readonly string[];
  requiredClaims: Readonly<Record<string, string | number | boolean>>;
  maxTokenBytes: number;
  introspection: { introspector: Introspector; all: boolean } | undefined;
  resourceName: string | undefined;
  resourceDocumentation: string | undefined;
  report: AuthErrorReporter;
  now: () => number;
}

function fail(option: string, problem: string): never {
  throw new TypeError(`oauthResourceServer: \`${option}\` ${problem}`);
}

function httpUrl(value: unknown, option: string): URL {
  if (typeof value !== "string" || !URL.canParse(value)) fail(option, "must be an absolute URL");
  const url = new URL(value);
  if (!isSecureUrl(url)) fail(option, "must use https (http only for localhost)");
  if (url.username !== "" || url.password !== "") fail(option, "must not contain credentials");
  return url;
}

function list(value: string | readonly string[] | undefined, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  const values = typeof value === "string" ? [value] : [...value];
  for (const v of values) if (typeof v !== "string" || v === "") fail(option, "must hold non-empty strings");
  return values;
}

function scopeList(value: readonly string[] | undefined, option: string): string[] | undefined {
  const values = list(value, option);
  for (const v of values ?? []) if (!isScopeToken(v)) fail(option, `has an invalid scope "${v}"`);
  return values;
}

function nonNegative(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) fail(option, "must be a number ≥ 0");
  return value;
}

function algorithmsFor(options: OAuthResourceServerOptions, hasSecret: boolean): Set<string> {
  const algorithms =
    list(options.algorithms, "algorithms") ?? (hasSecret ? ["HS256"] : [...ASYMMETRIC_ALGORITHMS]);
  for (const alg of algorithms) {
    if (!KNOWN_ALGORITHMS.has(alg))
      fail("algorithms", `has an unsupported algorithm "${alg}" (never "none")`);
    const hmac = HMAC_ALGORITHMS.includes(alg);
    if (hmac && !hasSecret) fail("algorithms", `allows ${alg}, which needs \`secret\``);
    if (!hmac && hasSecret)
      fail("algorithms", `allows ${alg} next to \`secret\`: a secret verifies HS* only`);
  }
  return new Set(algorithms);
}

export function resolveOptions(options: OAuthResourceServerOptions): Resolved {
  const resourceUrl = httpUrl(options.resource, "resource");
  if (options.resource.includes("#")) fail("resource", "must not contain a fragment");
  if (resourceUrl.search !== "") fail("resource", "must not contain a query");
  const resource = canonicalUri(options.resource)!;

  const servers = list(options.authorizationServers, "authorizationServers");
  const issuers = list(options.issuer, "issuer") ?? servers;
  if (issuers === undefined || issuers.length === 0) fail("authorizationServers", "or `issuer` is required");
  const authorizationServers = servers ?? issuers;
  if (authorizationServers.length === 0) fail("authorizationServers", "must not be empty");
  for (const server of authorizationServers) httpUrl(server, "authorizationServers");

  const audienceClaim = options.audienceClaim ?? "aud";
  if (audienceClaim !== "aud" && audienceClaim !== "client_id")
    fail("audienceClaim", 'must be "aud" or "client_id"');
  const audience = list(options.audience, "audience") ?? (audienceClaim === "aud" ? [resource] : undefined);
  if (audience === undefined || audience.length === 0) {
    fail("audience", 'must list the accepted client ids when `audienceClaim` is "client_id"');
  }

  const report = reporter(options.onError);
  const now = options.now ?? (() => Date.now());
  const fetch: FetchLike = resolveFetch(options.fetch);
  const timeoutMs = timeoutOption(options.timeoutMs, "oauthResourceServer");

  const given = [options.jwks, options.jwksUrl, options.secret].filter((v) => v !== undefined).length;
  if (given > 1) {
    throw new TypeError("oauthResourceServer: `jwks`, `jwksUrl` and `secret` are alternatives: give one");
  }
  const introspectAll = options.introspection?.tokens === "all";
  if (introspectAll && given > 0) fail("introspection", 'with tokens: "all" uses no key source');

  let secret: Uint8Array | undefined;
  if (options.secret !== undefined) {
    secret = typeof options.secret === "string" ? new TextEncoder().encode(options.secret) : options.secret;
    if (!(secret instanceof Uint8Array) || secret.byteLength < 32)
      fail("secret", "must be at least 32 bytes");
  }
  const algorithms = algorithmsFor(options, secret !== undefined);

  const remote = (url: string | (() => Promise<string>)) =>
    new RemoteKeySet({
      source: "jwks",
      url,
      fetch,
      report,
      now,
      timeoutMs,
      backoffMs: BACKOFF_MS,
      maxAgeMs: nonNegative(options.jwksCacheSeconds, 600, "jwksCacheSeconds") * 1000,
      cooldownMs: nonNegative(options.jwksRefreshCooldownSeconds, 30, "jwksRefreshCooldownSeconds") * 1000,
    });
  let keys: KeySource;
  if (introspectAll) keys = { kind: "none" };
  else if (secret !== undefined) keys = { kind: "secret", secret };
  else if (options.jwks !== undefined) {
    try {
      keys = { kind: "keys", getKey: publicKeySet(options.jwks) };
    } catch {
      fail("jwks", "is not a JSON Web Key Set");
    }
  } else if (options.jwksUrl !== undefined) {
    keys = { kind: "keys", getKey: remote(httpUrl(options.jwksUrl, "jwksUrl").href).getKey };
  } else {
    const byIssuer = new Map<string, RemoteKeySet>();
    for (const issuer of issuers) {
      httpUrl(issuer, "issuer");
      const metadata = new IssuerMetadata(issuer, {
        fetch,
        report,
        now,
        timeoutMs,
        backoffMs: BACKOFF_MS,
      });
      byIssuer.set(issuer, remote(metadata.jwksUri));
    }
    keys = { kind: "discovered", byIssuer };
  }

  let introspection: Resolved["introspection"];
  const intro = options.introspection;
  if (intro !== undefined) {
    httpUrl(intro.endpoint, "introspection.endpoint");
    if (typeof intro.clientId !== "string" || typeof intro.clientSecret !== "string") {
      fail("introspection", "needs `clientId` and `clientSecret`");
    }
    const maxCacheSeconds = nonNegative(
      intro.maxCacheSeconds,
      Number.POSITIVE_INFINITY,
      "introspection.maxCacheSeconds",
    );
    introspection = {
      all: introspectAll,
      introspector: new Introspector({
        endpoint: intro.endpoint,
        clientId: intro.clientId,
        clientSecret: intro.clientSecret,
        cacheSize: Math.floor(nonNegative(intro.cacheSize, 1000, "introspection.cacheSize")),
        maxCacheMs: maxCacheSeconds * 1000,
        fetch,
        report,
        now,
        timeoutMs,
        backoffMs: BACKOFF_MS,
      }),
    };
  }

  const maxTokenBytes = nonNegative(options.maxTokenBytes, 8192, "maxTokenBytes");
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes < 1)
    fail("maxTokenBytes", "must be a positive integer");
  const requiredScopes = scopeList(options.requiredScopes, "requiredScopes") ?? [];
  for (const value of Object.values(options.requiredClaims ?? {})) {
    if (!["string", "number", "boolean"].includes(typeof value))
      fail("requiredClaims", "values must be strings, numbers or booleans");
  }
  return {
    resource,
    resourceUrl,
    authorizationServers,
    issuers,
    audience,
    audienceClaim,
    algorithms,
    keys,
    leeway: nonNegative(options.clockToleranceSeconds, 30, "clockToleranceSeconds"),
    scopesSupported:
      scopeList(options.scopesSupported, "scopesSupported") ??
      (requiredScopes.length > 0 ? requiredScopes : undefined),
    requiredScopes,
    requiredClaims: { ...options.requiredClaims },
    maxTokenBytes,
    introspection,
    resourceName: options.resourceName,
    resourceDocumentation: options.resourceDocumentation,
    report,
    now,
  };
}
