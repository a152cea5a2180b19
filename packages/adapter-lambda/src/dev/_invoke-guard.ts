/**
 * DNS-rebinding protection of the dev server's Invoke API. That path runs its payload as a Lambda
 * event, `requestContext.authorizer` included, so whoever reaches it acts as any principal: a web
 * page must not. A page under a foreign name that resolves to 127.0.0.1 sends that name as `Host`
 * (and can POST to its own origin with no preflight); a browser also sends `Origin`. The AWS SDK
 * and `invokeSelf()` send neither: their `Host` is the endpoint's, a loopback name or address.
 */

/** Host names that always mean this machine: a page cannot rebind them. */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** At most this many characters of a refused value are quoted back. */
const QUOTED_LIMIT = 100;

const quote = (value: string): string =>
  JSON.stringify(value.length > QUOTED_LIMIT ? `${value.slice(0, QUOTED_LIMIT)}…` : value);

/**
 * The name in a `Host` value (`name` or `name:port`), lower case and without its port (an IPv6
 * literal keeps its brackets); `undefined` when what follows the name is not a port.
 */
function hostnameOf(host: string): string | undefined {
  const value = host.trim().toLowerCase();
  const end = value.startsWith("[") ? value.indexOf("]") + 1 : value.indexOf(":");
  if (end <= 0) return end === -1 ? value : undefined;
  return /^(?::\d{1,5})?$/.test(value.slice(end)) ? value.slice(0, end) : undefined;
}

/**
 * Why an Invoke API request is refused, or `undefined` when it may run: its `Host` must name a
 * loopback host (`localhost`, `127.0.0.1`, `[::1]`, any port) or `ownHost`, the address the server
 * listens on (as in a URL: `[…]` for IPv6), and it must carry no `Origin`.
 */
export function invokeRefusal(
  headers: { host?: string | undefined; origin?: string | undefined },
  ownHost: string,
): string | undefined {
  const { host, origin } = headers;
  if (host === undefined) return "Forbidden: the local Lambda API needs a Host header";
  const name = hostnameOf(host);
  if (name === undefined || (!LOOPBACK.has(name) && name !== ownHost.toLowerCase())) {
    return `Forbidden: Host ${quote(host)} is not allowed; the local Lambda API answers only requests to localhost, 127.0.0.1, [::1] or its own address`;
  }
  if (origin !== undefined) {
    return `Forbidden: the local Lambda API takes no requests from web pages (Origin ${quote(origin)})`;
  }
  return undefined;
}
