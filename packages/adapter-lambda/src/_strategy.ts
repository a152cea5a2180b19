import type { AuthInfo } from "@portico/host";
import type { LambdaHttpEvent, LambdaHttpResult } from "./_types.ts";

/** The three event families the adapter understands; HTTP API and Function URLs share `v2`. */
export type EventKind = "v1" | "v2" | "alb";

/** How a request URL is formed from an event. */
export interface RequestOptions {
  /** A prefix to strip from the path (REST custom-domain base path mappings), e.g. `/api`. */
  basePath?: string;
}

/** A response reduced to what a buffered result needs. */
export interface ResultParts {
  status: number;
  statusText: string;
  headers: Headers;
  body: string;
  isBase64Encoded: boolean;
}

/** One event kind: how to recognise it, read it and answer it. Each lives in its own file. */
export interface EventStrategy<
  E extends LambdaHttpEvent = LambdaHttpEvent,
  R extends LambdaHttpResult = LambdaHttpResult,
> {
  readonly kind: EventKind;
  matches(event: Record<string, unknown>): boolean;
  /** @throws TypeError when the event is malformed (the handler answers 400). */
  toRequest(event: E, options: RequestOptions): Request;
  toResult(parts: ResultParts, event: E): R;
  authOf(event: E): AuthInfo | undefined;
  /**
   * The host name the front door routed the event by (`requestContext.domainName` of API Gateway
   * and Function URLs), or `undefined` when the event names none (ALB). Becomes `ctx.routedHosts`.
   */
  routedHostOf(event: E): string | undefined;
  /**
   * The caller's address as the front door saw it (`sourceIp` of API Gateway and Function URL
   * events), or `undefined` when the event carries none it vouches for (ALB). Becomes
   * `ctx.clientAddress`.
   */
  sourceIpOf(event: E): string | undefined;
}

/** The path with `basePath` removed when it is a whole-segment prefix. */
export function stripBasePath(path: string, basePath: string | undefined): string {
  if (basePath === undefined || basePath === "" || basePath === "/") return path;
  const base = basePath.endsWith("/") ? basePath.slice(0, -1) : basePath;
  if (path === base) return "/";
  return path.startsWith(`${base}/`) ? path.slice(base.length) : path;
}

/** The URL origin: the Host header (or the event's domain) over https unless X-Forwarded-Proto says http. */
export function originOf(headers: Headers, domainName: string | undefined): string {
  const host = headers.get("host") ?? domainName ?? "localhost";
  if (/[\s/\\?#@]/.test(host)) throw new TypeError(`invalid host: ${JSON.stringify(host)}`);
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return `${proto === "http" ? "http" : "https"}://${host}`;
}

/**
 * An event's `requestContext.domainName`, when it is a plain host name (`name` or `name:port`).
 * AWS sets it to the API's or Function URL's domain (a custom domain when mapped), the host it
 * matched before invoking the function; a value that is not a host name is ignored.
 */
export function domainNameOf(context: { domainName?: unknown } | undefined): string | undefined {
  const name = context?.domainName;
  if (typeof name !== "string" || name === "" || name.length > 255) return undefined;
  // Both cases spelled out rather than the `i` flag: a process's first case-insensitive regex costs
  // ~0.1 ms to set up, and this runs in every cold start.
  return /^[a-zA-Z0-9.-]+(?::\d{1,5})?$/.test(name) || /^\[[0-9a-fA-F:.]+\](?::\d{1,5})?$/.test(name)
    ? name
    : undefined;
}

/**
 * A `sourceIp` as AWS fills it in: a non-empty string (an address; the API Gateway console's test
 * invocations say `test-invoke-source-ip`), else `undefined`.
 */
export function sourceIpFrom(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && value.length <= 100 ? value : undefined;
}

/** Throws TypeError unless `value` is a string (events from a broken integration). */
export function requireString(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") throw new TypeError(`the event has no ${what}`);
  return value;
}

/** The token's scopes: a `scope` claim (space separated) or a `scp` array/string. */
export function scopesOf(claims: Record<string, unknown>): string[] | undefined {
  const raw = claims.scope ?? claims.scp;
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === "string");
  if (typeof raw === "string") return raw.split(/[\s,]+/).filter((s) => s !== "");
  return undefined;
}

/**
 * Epoch seconds from a claim: a number, a numeric string (HTTP API JWT claims), or a date string
 * (REST API Cognito authorizers turn every claim into a string, `exp` into e.g.
 * "Wed May 18 03:33:20 UTC 2033").
 */
export function secondsOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

export function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Auth info from a token's claims (or an authorizer's context): `sub`, `client_id`/`azp`, the
 * scopes and `exp`, with `extra` as given. `subject` and `scopes`, when known otherwise, win.
 */
export function authFromClaims(
  claims: Record<string, unknown>,
  extra: Record<string, unknown>,
  known: { subject?: string | undefined; scopes?: string[] | null | undefined } = {},
): AuthInfo {
  const auth: AuthInfo = { extra };
  const subject = known.subject ?? stringOf(claims.sub);
  if (subject !== undefined) auth.subject = subject;
  const clientId = stringOf(claims.client_id) ?? stringOf(claims.azp);
  if (clientId !== undefined) auth.clientId = clientId;
  const scopes = known.scopes ?? scopesOf(claims);
  if (scopes !== undefined && scopes !== null) auth.scopes = scopes;
  const expiresAt = secondsOf(claims.exp);
  if (expiresAt !== undefined) auth.expiresAt = expiresAt;
  return auth;
}
