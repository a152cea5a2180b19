/**
 * An operation's request, sent with redirects followed by hand within the API's origin only
 * (`fetchWithinOrigin` of `@portico/host`): `fetch` follows one to any origin with every header
 * but `Authorization`, so an API key (`options.headers`, `auth`) would go wherever an open redirect
 * of the API points, and the server would call any host it names.
 */
import type { Logger } from "@portico/core";
import { fetchWithinOrigin, isRedirectRefusal, type RedirectRefusal } from "@portico/host";
import type { OpenApiFetch } from "./types.ts";

export interface Outgoing {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
  signal: AbortSignal;
}

function refusalText(refusal: RedirectRefusal, what: string): string {
  switch (refusal.refused) {
    case "invalid_location":
      return `${what} was redirected to an invalid location`;
    case "other_origin":
      // The origin is the API's internal business (an admin host, an internal port): the
      // operator's log has it, the client does not.
      return `${what} was redirected to another origin, not followed`;
    case "too_many_redirects":
      return `${what} was redirected more than ${refusal.max} times`;
  }
}

/**
 * The final response, or a message (for the client) saying why a redirect was not followed; the
 * refusal, with the target's origin or location, is written to `logger` (the call's `ctx.logger`)
 * for the operator.
 */
export async function sendWithinOrigin(
  fetch: OpenApiFetch,
  request: Outgoing,
  what: string,
  logger: Pick<Logger, "warn">,
): Promise<Response | string> {
  const { url, method, body, signal } = request;
  const init: RequestInit = { method, headers: new Headers(request.headers), signal };
  if (body !== undefined) init.body = body;
  // The user's fetch takes a Request (as the Fetch API's does).
  const result = await fetchWithinOrigin(
    async (next, nextInit) => fetch(new Request(next, nextInit)),
    url,
    init,
  );
  if (!isRedirectRefusal(result)) return result;
  // The refusal with its details (the other origin, the invalid location), for the operator.
  logger.warn("openapi: redirect not followed", { operation: what, ...result });
  return refusalText(result, what);
}
