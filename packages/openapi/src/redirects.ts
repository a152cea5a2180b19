/**
 * Redirects followed by hand, within the API's origin only: fetch follows one to any origin with
 * every header but `Authorization`, so an API key (`options.headers`, `auth`) would go wherever
 * an open redirect of the API points, and the server would call any host it names.
 */
import type { OpenApiFetch } from "./types.ts";

/** The most redirects followed for one call. */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface Outgoing {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
  signal: AbortSignal;
}

/** The final response, or a message saying why a redirect was not followed. */
export async function fetchWithinOrigin(
  fetch: OpenApiFetch,
  request: Outgoing,
  what: string,
): Promise<Response | string> {
  let { url, method, body } = request;
  const headers = new Headers(request.headers);
  const origin = new URL(url).origin;
  for (let hop = 0; ; hop += 1) {
    const init = { method, headers, signal: request.signal, redirect: "manual" as const };
    const response = await fetch(new Request(url, body === undefined ? init : { ...init, body }));
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
    if (location === null) return response;
    response.body?.cancel().catch(() => {});
    const next = URL.canParse(location, url) ? new URL(location, url) : undefined;
    if (next === undefined) return `${what} was redirected to an invalid location`;
    if (next.origin !== origin)
      return `${what} was redirected to another origin (${next.origin}), not followed`;
    if (hop === MAX_REDIRECTS) return `${what} was redirected more than ${MAX_REDIRECTS} times`;
    // 303, and 301/302 after a POST, are followed with GET and no body (as fetch does).
    if (response.status === 303 ? method !== "HEAD" : response.status <= 302 && method === "POST") {
      method = "GET";
      body = undefined;
      headers.delete("content-type");
    }
    url = next.href;
  }
}
