/**
 * HTTP-level request validation. Every validator returns a ready `Response` to send when the
 * request is rejected, or `undefined` when it passes.
 */

import { ErrorCode } from "../errors.ts";
import { httpError } from "./responses.ts";

const LOCAL_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** Header values seen per check are few (one per client kind), so verdicts are memoised. */
const MEMO_LIMIT = 256;

function memo<T>(compute: (value: string) => T): (value: string) => T {
  const seen = new Map<string, T>();
  return (value) => {
    let verdict = seen.get(value);
    if (verdict === undefined && !seen.has(value)) {
      verdict = compute(value);
      if (seen.size >= MEMO_LIMIT) seen.clear();
      seen.set(value, verdict);
    }
    return verdict as T;
  };
}

export interface OriginPolicy {
  /** Host names (optionally `host:port`) accepted in `Host`; `"*"` accepts any. */
  allowedHosts: readonly string[];
  /** Origins (`scheme://host[:port]`) accepted in `Origin`; `"*"` accepts any. */
  allowedOrigins: readonly string[];
}

const PORT = /^:\d{1,5}$/;

/**
 * The name of a `Host` value (`name`, `name:port`, `[v6]`, `[v6]:port`). Anything but a port after the
 * name (`[::1]evil`, `localhost:evil`) is not a name-and-port: the whole value is returned, which
 * matches no allowed host.
 */
function hostnameOf(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  const end = value.startsWith("[") ? value.indexOf("]") + 1 : value.indexOf(":");
  if (end <= 0 || end === value.length) return value;
  return PORT.test(value.slice(end)) ? value.slice(0, end) : value;
}

/** Whether `host` (a `Host` value) is in `list`, as `name` or `name:port`. */
function listed(host: string, list: readonly string[]): boolean {
  const value = host.trim().toLowerCase();
  const name = hostnameOf(value);
  return list.some((entry) => {
    const e = entry.toLowerCase();
    return e === value || e === name;
  });
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  if (allowed.includes("*") || LOCAL_HOSTNAMES.has(hostnameOf(host.trim().toLowerCase()))) return true;
  return listed(host, allowed);
}

function originAllowed(origin: string, host: string | null, hostOk: boolean, policy: OriginPolicy): boolean {
  if (policy.allowedOrigins.includes("*")) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (LOCAL_HOSTNAMES.has(url.hostname.toLowerCase())) return true;
  if (policy.allowedOrigins.some((o) => o.toLowerCase().replace(/\/$/, "") === url.origin.toLowerCase()))
    return true;
  // Same-origin requests to an accepted host are allowed (`Host: x:443` is the origin `https://x`).
  if (!hostOk || host === null) return false;
  const value = host.trim().toLowerCase();
  const defaultPort = url.protocol === "https:" ? ":443" : url.protocol === "http:" ? ":80" : undefined;
  const sameHost =
    defaultPort !== undefined && value.endsWith(defaultPort) ? value.slice(0, -defaultPort.length) : value;
  return url.host.toLowerCase() === sameHost;
}

/** Whether `host` (a `Host` value) is one the platform routed by (`ctx.routedHosts`). */
function routed(host: string, hosts: readonly string[] | undefined): boolean {
  return hosts !== undefined && hosts.length > 0 && listed(host, hosts);
}

/** At most this many characters of a rejected header value are quoted back in the 403. */
const QUOTED_LIMIT = 100;

const quote = (value: string): string =>
  JSON.stringify(value.length > QUOTED_LIMIT ? `${value.slice(0, QUOTED_LIMIT)}…` : value);

/** What the Host/Origin check refused: the 403 to send and the line to log (once per value). */
export interface Refusal {
  response: Response;
  /** `host` or `origin`, and the refused value: the handler logs each distinct one once. */
  header: "host" | "origin";
  value: string;
}

/**
 * DNS-rebinding protection: `Host` must be a localhost name, one of `allowedHosts` or one the
 * platform routed by (`routedHosts`); an `Origin`, when sent, must be a localhost origin, one of
 * `allowedOrigins`, or the accepted host's own. The 403 names the value and the option to set.
 * The returned check memoises its verdicts per header value.
 */
export function originGuard(
  policy: OriginPolicy,
): (request: Request, routedHosts?: readonly string[]) => Refusal | undefined {
  const hostOk = memo((host) => hostAllowed(host, policy.allowedHosts));
  const originOk = memo((key) => {
    const split = key.indexOf("\n");
    const host = key.slice(1, split);
    return originAllowed(key.slice(split + 1), host === "" ? null : host, key[0] === "1", policy);
  });
  return (request, routedHosts) => {
    const host = request.headers.get("host") ?? safeHost(request.url);
    const accepted = host === null || hostOk(host) || routed(host, routedHosts);
    if (!accepted) {
      return {
        header: "host",
        value: host,
        response: httpError(
          403,
          ErrorCode.InvalidRequest,
          `Forbidden: Host ${quote(host)} is not allowed; add it to the allowedHosts option of createHandler`,
        ),
      };
    }
    const origin = request.headers.get("origin");
    if (origin !== null && !originOk(`${host === null ? 0 : 1}${host ?? ""}\n${origin}`)) {
      return {
        header: "origin",
        value: origin,
        response: httpError(
          403,
          ErrorCode.InvalidRequest,
          `Forbidden: Origin ${quote(origin)} is not allowed; add it to the allowedOrigins option of createHandler`,
        ),
      };
    }
    return undefined;
  };
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/** An `Accept` media range: its type (lower-cased) and whether it is weighted `q=0` ("not acceptable"). */
interface MediaRange {
  type: string;
  refused: boolean;
}

/** Whether a media range's parameters (`;q=0`, `; Q=0.000`) weight it "not acceptable" (RFC 9110 §12.4.2). */
function weightedZero(params: string[]): boolean {
  for (const param of params) {
    const [name = "", value = ""] = param.split("=");
    if (name.trim().toLowerCase() === "q") return /^0(?:\.0{0,3})?$/.test(value.trim());
  }
  return false;
}

function mediaRanges(header: string | null): MediaRange[] {
  if (header === null) return [];
  return header.split(",").map((part) => {
    const [type = "", ...params] = part.split(";");
    return { type: type.trim().toLowerCase(), refused: params.length > 0 && weightedZero(params) };
  });
}

/**
 * Whether `wanted` is acceptable: the most specific range that matches it decides (the exact type,
 * then `type/*`, then the any-type range), so "any type, but text/event-stream;q=0" refuses streams.
 */
function accepts(ranges: MediaRange[], wanted: string): boolean {
  const major = `${wanted.slice(0, wanted.indexOf("/"))}/*`;
  let best: MediaRange | undefined;
  let rank = 0;
  for (const range of ranges) {
    const r = range.type === wanted ? 3 : range.type === major ? 2 : range.type === "*/*" ? 1 : 0;
    if (r > rank || (r === rank && r > 0 && range.refused)) {
      best = range;
      rank = r;
    }
  }
  return best !== undefined && !best.refused;
}

const postAcceptOk = memo((header) => {
  const ranges = mediaRanges(header);
  return accepts(ranges, "application/json") && accepts(ranges, "text/event-stream");
});

/** A POST must accept both `application/json` and `text/event-stream` (406 otherwise). */
export function checkPostAccept(request: Request): Response | undefined {
  const header = request.headers.get("accept");
  if (header !== null && postAcceptOk(header)) return undefined;
  return httpError(
    406,
    ErrorCode.InvalidRequest,
    "Not Acceptable: the client must accept both application/json and text/event-stream",
  );
}

/** A GET stream must accept `text/event-stream` (406 otherwise). */
export function checkGetAccept(request: Request): Response | undefined {
  if (accepts(mediaRanges(request.headers.get("accept")), "text/event-stream")) return undefined;
  return httpError(406, ErrorCode.InvalidRequest, "Not Acceptable: the client must accept text/event-stream");
}

const jsonContentType = memo(
  (header) => (header.split(";")[0] ?? "").trim().toLowerCase() === "application/json",
);

/** A POST body must be `application/json` (415 otherwise). */
export function checkContentType(request: Request): Response | undefined {
  const header = request.headers.get("content-type");
  if (header !== null && jsonContentType(header)) return undefined;
  return httpError(
    415,
    ErrorCode.InvalidRequest,
    "Unsupported Media Type: Content-Type must be application/json",
  );
}
