import type { IncomingMessage } from "node:http";

/** How the public origin of a request is decided. */
export interface OriginOptions {
  /** A fixed public origin (`https://api.example.com`) used for every request; wins over headers. */
  origin?: string;
  /**
   * Believe `X-Forwarded-Proto` / `X-Forwarded-Host` (only behind a proxy you control). Default false.
   * `toNodeHandler` and `serve` then also take `ctx.clientAddress` from the last `X-Forwarded-For`
   * entry (the one that proxy appended) instead of the TCP peer.
   */
  trustProxy?: boolean;
}

/** Where header values come from when not `req.headers` (e.g. a `Headers` over the raw list). */
export interface HeaderReader {
  get(name: string): string | null;
}

/** Thrown when the request carries a Host (or forwarded host) that cannot form a URL. */
export class InvalidHostError extends Error {
  override name = "InvalidHostError";
}

const UNSAFE_HOST = /[\s/\\?#@]/;

/**
 * The last entry of a forwarded header (repeated lines count as one list): the one the proxy in
 * front wrote, whether it replaces the header or appends to it. Entries before it came with the
 * request, and any client can write those — as for `X-Forwarded-For` (`lastForwardedFor`).
 */
function lastValue(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value.at(-1) : value;
  const last = raw?.slice(raw.lastIndexOf(",") + 1).trim();
  return last === "" ? undefined : last;
}

/** Origins computed per `protocol://host`; a busy server sees a handful, so they are memoised. */
const origins = new Map<string, string>();
const ORIGIN_MEMO_LIMIT = 256;

function originOf(protocol: string, host: string): string {
  const key = `${protocol}://${host}`;
  let origin = origins.get(key);
  if (origin === undefined) {
    origin = computeOrigin(protocol, host);
    if (origins.size >= ORIGIN_MEMO_LIMIT) origins.clear();
    origins.set(key, origin);
  }
  return origin;
}

function computeOrigin(protocol: string, host: string): string {
  if (UNSAFE_HOST.test(host)) throw new InvalidHostError(`invalid host: ${JSON.stringify(host)}`);
  try {
    return new URL(`${protocol}://${host}`).origin;
  } catch {
    throw new InvalidHostError(`invalid host: ${JSON.stringify(host)}`);
  }
}

/** Parses and normalises a configured origin once, so a typo fails at start-up, not per request. */
export function normaliseOrigin(origin: string): string {
  const url = new URL(origin);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`origin must be an http(s) URL, got ${JSON.stringify(origin)}`);
  }
  return url.origin;
}

/** The request target as a path: origin-form kept verbatim, absolute-form reduced to its path. */
function pathOf(req: IncomingMessage): string {
  // Express rewrites req.url under app.use(mount, ...); originalUrl is what the client asked for.
  const original = (req as { originalUrl?: unknown }).originalUrl;
  const target = typeof original === "string" ? original : (req.url ?? "/");
  if (target.startsWith("/")) return target;
  try {
    const url = new URL(target);
    return url.pathname + url.search;
  } catch {
    return "/"; // `OPTIONS *` and other oddities
  }
}

/**
 * The full URL of an incoming request. The origin comes from, in order: `opts.origin`; with
 * `trustProxy`, the last entry of `X-Forwarded-Proto` / `X-Forwarded-Host`; the socket's TLS state and the `Host`
 * header (`:authority` for HTTP/2 compatibility requests; `localhost` when absent).
 */
export function requestUrl(req: IncomingMessage, opts: OriginOptions = {}, headers?: HeaderReader): string {
  const path = pathOf(req);
  // String concatenation, not new URL(path, base): a path like "//evil.example/x" must stay a path.
  // `opts.origin` arrives normalised (`normaliseOrigin`), done once by the caller, not per request.
  if (opts.origin !== undefined) return opts.origin + path;

  const header = (name: string): string | undefined => {
    if (headers === undefined) {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    }
    return headers.get(name) ?? undefined;
  };
  const encrypted = (req.socket as { encrypted?: boolean } | null)?.encrypted === true;
  let protocol = encrypted ? "https" : "http";
  let host = header("host");
  if (!host) {
    const authority = req.headers[":authority"];
    host = (typeof authority === "string" ? authority : undefined) || "localhost";
  }
  if (opts.trustProxy === true) {
    const forwardedProto = lastValue(header("x-forwarded-proto"))?.toLowerCase();
    if (forwardedProto === "http" || forwardedProto === "https") protocol = forwardedProto;
    host = lastValue(header("x-forwarded-host")) ?? host;
  }
  return originOf(protocol, host) + path;
}
