import type { IncomingMessage } from "node:http";

/** How the public origin of a request is decided. */
export interface OriginOptions {
  /** A fixed public origin (`https://api.example.com`) used for every request; wins over headers. */
  origin?: string;
  /** Believe `X-Forwarded-Proto` / `X-Forwarded-Host` (only behind a proxy you control). Default false. */
  trustProxy?: boolean;
}

/** Thrown when the request carries a Host (or forwarded host) that cannot form a URL. */
export class InvalidHostError extends Error {
  override name = "InvalidHostError";
}

const UNSAFE_HOST = /[\s/\\?#@]/;

function firstValue(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const first = raw?.split(",")[0]?.trim();
  return first === "" ? undefined : first;
}

function originOf(protocol: string, host: string): string {
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
 * `trustProxy`, `X-Forwarded-Proto` / `X-Forwarded-Host`; the socket's TLS state and the `Host`
 * header (`:authority` for HTTP/2 compatibility requests; `localhost` when absent).
 */
export function requestUrl(req: IncomingMessage, opts: OriginOptions = {}): string {
  const path = pathOf(req);
  // String concatenation, not new URL(path, base): a path like "//evil.example/x" must stay a path.
  if (opts.origin !== undefined) return normaliseOrigin(opts.origin) + path;

  const encrypted = (req.socket as { encrypted?: boolean } | null)?.encrypted === true;
  let protocol = encrypted ? "https" : "http";
  const authority = req.headers[":authority"];
  let host = req.headers.host || (typeof authority === "string" ? authority : undefined) || "localhost";
  if (opts.trustProxy === true) {
    const forwardedProto = firstValue(req.headers["x-forwarded-proto"])?.toLowerCase();
    if (forwardedProto === "http" || forwardedProto === "https") protocol = forwardedProto;
    host = firstValue(req.headers["x-forwarded-host"]) ?? host;
  }
  return originOf(protocol, host) + path;
}
