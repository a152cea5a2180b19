/**
 * Outgoing requests (JWKS, metadata, introspection, ALB keys): an injectable `fetch`, a timeout, a
 * cap on the body read, and no redirects followed (a key set is taken only from the URL configured
 * or discovered, never from wherever a redirect points).
 */

import { isTimerMs, LightFetchError, lightFetch, MAX_TIMER_MS, readBoundedText } from "@portico/host";

/** The `fetch` an authenticator calls; inject one for tests or a runtime's own binding. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * The default: `lightFetch` of @portico/host (node:https on Node and Bun, so a cold start that
 * fetches keys or metadata never loads undici; the global `fetch` elsewhere). {@link fetchText}
 * recognises it; called directly it is the global `fetch`.
 */
const DEFAULT_FETCH: FetchLike = (input, init) => fetch(input, init);

export function resolveFetch(custom: FetchLike | undefined): FetchLike {
  return custom ?? DEFAULT_FETCH;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https, or http to this machine only (development): keys and answers never cross a network in clear. */
export function isSecureUrl(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
}

/** The largest body read from any dependency (a JWKS, metadata, an introspection answer, a PEM). */
export const MAX_BODY_BYTES = 512 * 1024;

/** Default timeout of one outgoing request. */
const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * An authenticator's `timeoutMs` option (`undefined`: {@link DEFAULT_TIMEOUT_MS}), checked when the
 * authenticator is made: a whole number of ms from 1 to {@link MAX_TIMER_MS}, as
 * `AbortSignal.timeout` needs (0 aborts at once, a fraction throws at every request). Otherwise a
 * `TypeError` naming `factory` and the option.
 */
export function timeoutOption(value: unknown, factory: string): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (!(Number.isInteger(value) && isTimerMs(value, 1))) {
    const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
    throw new TypeError(
      `${factory}: \`timeoutMs\` must be a whole number of ms from 1 to ${MAX_TIMER_MS} (about 24.8 days), got ${shown}`,
    );
  }
  return value;
}

export interface Fetched {
  status: number;
  body: string;
}

/** What {@link fetchText} saw of a request, for a caller that must tell why it failed. */
export interface FetchWatch {
  /** The request's timeout signal. */
  signal?: AbortSignal;
  /** The status, once an answer came (even one whose body could not then be read). */
  answered?: number;
}

/** What {@link fetchText} sends: plain header fields, a text body. */
export interface TextRequestInit {
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * One request with a timeout, never following a redirect; the body is read as text up to
 * {@link MAX_BODY_BYTES}. Throws on network failure, a timeout or a larger body.
 */
export async function fetchText(
  fetchImpl: FetchLike,
  url: string,
  init: TextRequestInit,
  timeoutMs: number,
  watch: FetchWatch = {},
): Promise<Fetched> {
  const signal = AbortSignal.timeout(timeoutMs);
  watch.signal = signal;
  if (fetchImpl === DEFAULT_FETCH) {
    try {
      const answer = await lightFetch(url, { headers: {}, ...init, signal, maxBytes: MAX_BODY_BYTES });
      watch.answered = answer.status;
      return { status: answer.status, body: await answer.text() };
    } catch (error) {
      if (error instanceof LightFetchError) watch.answered = error.status;
      throw error;
    }
  }
  const response = await fetchImpl(url, { ...init, redirect: "manual", signal });
  watch.answered = response.status;
  // The signal too: a `fetch` that ends its request on abort may not end its body (the timeout
  // must bound the read, and every caller waiting on this fetch).
  const body = await readBoundedText(response, MAX_BODY_BYTES, signal);
  if (body === undefined) throw new Error(`response body larger than ${MAX_BODY_BYTES} bytes`);
  return { status: response.status, body };
}

/** The body as a JSON object, or a thrown error naming what was wrong (never echoing the body). */
export function parseJsonObject(body: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Whether concurrent callers may await one in-flight request. Not on Cloudflare Workers: a promise
 * made while serving one request cannot be safely awaited by another (it is cancelled when its
 * request ends), so there each request makes its own attempt, still bounded by the cooldowns.
 */
export function sharesInFlight(): boolean {
  return !(typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers");
}
