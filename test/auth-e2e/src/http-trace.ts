/**
 * A `fetch` that records what the MCP client sends and gets (method, URL, status and the
 * `WWW-Authenticate` challenge), so a test can check the order of the OAuth steps the SDK took.
 */

export interface TracedExchange {
  method: string;
  url: string;
  status: number;
  wwwAuthenticate: string | null;
  /** Whether an `Authorization` header was sent. */
  authorized: boolean;
}

export function tracingFetch(log: TracedExchange[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request);
    log.push({
      method: request.method,
      url: request.url,
      status: response.status,
      wwwAuthenticate: response.headers.get("www-authenticate"),
      authorized: request.headers.has("authorization"),
    });
    return response;
  };
}

/** Index of the first exchange at or after `from` that matches, or -1. */
export function findExchange(
  trace: readonly TracedExchange[],
  from: number,
  match: (exchange: TracedExchange) => boolean,
): number {
  for (let i = from; i < trace.length; i++) if (match(trace[i] as TracedExchange)) return i;
  return -1;
}
