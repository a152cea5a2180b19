/**
 * Redirects followed by hand, within the first URL's origin only. `fetch` follows a redirect to any
 * origin with every header but `Authorization`, so an API key in another header would go wherever an
 * open redirect of the API points, and a server calling out would call any host it names.
 */

/** Why a redirect was not followed. */
export type RedirectRefusal =
  | { refused: "invalid_location"; location: string }
  | { refused: "other_origin"; origin: string }
  | { refused: "too_many_redirects"; max: number };

/** The most redirects {@link fetchWithinOrigin} follows by default. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches `url` with `init` (`redirect: "manual"`), following 301, 302, 303, 307 and 308 answers
 * within the origin of `url`, at most `maxRedirects` times: the final response, or why a redirect
 * was not followed (the redirect's own body cancelled). A 303 (but for `HEAD`), and a 301 or 302
 * after a `POST`, are followed with `GET`, no body and no `Content-Type`, as `fetch` does; 307 and
 * 308 resend the request as it was (give a body that can be sent again: a string, bytes).
 */
export async function fetchWithinOrigin(
  fetcher: (url: string, init: RequestInit) => Promise<Response>,
  url: string,
  init: RequestInit,
  maxRedirects = MAX_REDIRECTS,
): Promise<Response | RedirectRefusal> {
  const origin = new URL(url).origin;
  let current = url;
  let request: RequestInit = { ...init, redirect: "manual" };
  for (let hop = 0; ; hop += 1) {
    const response = await fetcher(current, request);
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
    if (location === null) return response;
    response.body?.cancel().catch(() => {});
    if (!URL.canParse(location, current)) return { refused: "invalid_location", location };
    const next = new URL(location, current);
    if (next.origin !== origin) return { refused: "other_origin", origin: next.origin };
    if (hop === maxRedirects) return { refused: "too_many_redirects", max: maxRedirects };
    const method = (request.method ?? "GET").toUpperCase();
    if (response.status === 303 ? method !== "HEAD" : response.status <= 302 && method === "POST") {
      const headers = new Headers(request.headers);
      headers.delete("content-type");
      request = { ...request, method: "GET", body: null, headers };
    }
    current = next.href;
  }
}

/** Whether `result` is a refusal rather than a response. */
export function isRedirectRefusal(result: Response | RedirectRefusal): result is RedirectRefusal {
  return typeof (result as Partial<RedirectRefusal>).refused === "string";
}
