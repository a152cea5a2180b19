/**
 * What a verified token's claims say, whichever way they came (a JWT payload or an introspection
 * answer): scopes, audience, time window, required values, and the `AuthInfo` built from them.
 */
import type { AuthInfo } from "@portico/host";

export type Claims = Record<string, unknown>;

/** `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )` (RFC 6749 §3.3): what a challenge may name. */
export function isScopeToken(value: string): boolean {
  return /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(value);
}

/** Scopes from `scope` (space-separated, RFC 8693/9068) or `scp` (an array or a string, Okta/Azure). */
export function scopesOf(claims: Claims): string[] {
  const raw = typeof claims.scope === "string" ? claims.scope : claims.scp;
  if (typeof raw === "string") return raw.split(" ").filter((s) => s !== "");
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === "string" && s !== "");
  return [];
}

/** An http(s) URI as written: scheme, authority (up to the first `/`, `?` or `#`), the rest. */
const HTTP_URI = /^(https?):\/\/([^/?#]*)(.*)$/is;

/**
 * The canonical form of an absolute http(s) URI for comparison: scheme and host lower-cased, the
 * default port dropped, an empty path for the root (RFC 8707 / MCP: `https://a.example` and
 * `https://a.example/` are the same resource). `undefined` for anything else, and for a URI with
 * userinfo (`user:pass@`): the URL names a resource *and* credentials, never just the resource.
 */
export function canonicalUri(value: string): string | undefined {
  if (!/^https?:\/\//i.test(value) || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.username !== "" || url.password !== "") return undefined;
  const path = url.pathname === "/" ? "" : url.pathname;
  return `${url.protocol}//${url.host}${path}${url.search}${url.hash}`;
}

/**
 * The canonical form of an audience value, if it differs from the value as written by the
 * normalisations {@link canonicalUri} documents only. A URI the URL parser would also rewrite in
 * another way (userinfo, even empty; dot segments; tabs, newlines or outer spaces removed;
 * backslashes; non-ASCII or numeric hosts; `:0443`) has none: it names this resource only if it is
 * exactly one of the accepted strings — and with userinfo, never.
 */
function canonicalAudience(value: string): string | undefined {
  const parts = HTTP_URI.exec(value);
  if (parts === null) return undefined;
  const [, scheme = "", written = "", rest = ""] = parts;
  if (written.includes("@")) return undefined;
  const defaultPort = scheme.toLowerCase() === "https" ? ":443" : ":80";
  const authority = written.toLowerCase();
  const host = authority.endsWith(defaultPort) ? authority.slice(0, -defaultPort.length) : authority;
  const canonical = canonicalUri(value);
  const asWritten = `${scheme.toLowerCase()}://${host}${rest.replace(/^\/(?=[?#]|$)/, "")}`;
  return canonical === asWritten ? canonical : undefined;
}

/** Whether `value` is an http(s) URI with userinfo (an `@` before its path), as written. */
function hasUserinfo(value: string): boolean {
  return HTTP_URI.exec(value)?.[2]?.includes("@") === true;
}

/**
 * A check of an audience value (`aud`: a string or an array of strings; `client_id`: a string)
 * against the accepted ones: exact string equality, or for URIs equality of the canonical forms
 * (see {@link canonicalAudience}). A URI with userinfo never matches.
 */
export function audienceMatcher(accepted: readonly string[]): (value: unknown) => boolean {
  const exact = new Set(accepted);
  const uris = new Set(accepted.map(canonicalUri).filter((u): u is string => u !== undefined));
  const one = (v: unknown): boolean => {
    if (typeof v !== "string" || hasUserinfo(v)) return false;
    if (exact.has(v)) return true;
    const canonical = canonicalAudience(v);
    return canonical !== undefined && uris.has(canonical);
  };
  return (value) => {
    if (Array.isArray(value)) return value.every((v) => typeof v === "string") && value.some(one);
    return one(value);
  };
}

/** Every `required` claim has exactly its value. */
export function hasRequiredClaims(
  claims: Claims,
  required: Readonly<Record<string, string | number | boolean>>,
): boolean {
  for (const [name, value] of Object.entries(required)) {
    if (claims[name] !== value) return false;
  }
  return true;
}

/**
 * `exp` (required when `requireExp`) not passed and `nbf` reached, both with `leeway` seconds, as
 * numbers; used for introspection answers (jose checks JWTs).
 */
export function withinLifetime(
  claims: Claims,
  nowSeconds: number,
  leeway: number,
  requireExp: boolean,
): boolean {
  const { exp, nbf } = claims;
  if (exp === undefined) {
    if (requireExp) return false;
  } else if (typeof exp !== "number" || !Number.isFinite(exp) || exp <= nowSeconds - leeway) {
    return false;
  }
  if (nbf !== undefined && (typeof nbf !== "number" || !Number.isFinite(nbf) || nbf > nowSeconds + leeway)) {
    return false;
  }
  return true;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The `AuthInfo` for verified `claims` (frozen; absent members left out). */
export function authInfoFrom(token: string, claims: Claims): AuthInfo {
  const info: AuthInfo = { token, scopes: scopesOf(claims), claims: Object.freeze({ ...claims }) };
  const subject = text(claims.sub);
  if (subject !== undefined) info.subject = subject;
  // `client_id` (RFC 9068, Cognito), `azp` (OIDC-style issuers), `cid` (Okta).
  const clientId = text(claims.client_id) ?? text(claims.azp) ?? text(claims.cid);
  if (clientId !== undefined) info.clientId = clientId;
  if (typeof claims.exp === "number") info.expiresAt = claims.exp;
  const issuer = text(claims.iss);
  if (issuer !== undefined) info.issuer = issuer;
  return info;
}

/** `required` first, then the other scopes of `more`, each once, in order. */
export function unionScopes(
  required: readonly string[],
  ...more: (readonly string[] | undefined)[]
): string[] {
  const out = new Set(required);
  for (const list of more) for (const scope of list ?? []) out.add(scope);
  return [...out];
}
