/**
 * The cookies a browser would keep for one origin: enough of RFC 6265 for oidc-provider's
 * interaction, resume and session cookies (name, value, `Path`, expiry by `Expires`/`Max-Age`).
 */

interface Cookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number;
}

export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  /** Stores the `Set-Cookie` headers of a response to `url`. */
  store(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const cookie: Cookie = {
        name: pair.slice(0, eq),
        value: pair.slice(eq + 1),
        path: defaultPath(url),
        expiresAt: Number.POSITIVE_INFINITY,
      };
      for (const attribute of attributes) {
        const [key = "", value = ""] = attribute.split("=", 2);
        switch (key.toLowerCase()) {
          case "path":
            if (value.startsWith("/")) cookie.path = value;
            break;
          case "expires":
            cookie.expiresAt = Date.parse(value);
            break;
          case "max-age":
            cookie.expiresAt = Date.now() + Number(value) * 1000;
            break;
        }
      }
      const key = `${cookie.name};${cookie.path}`;
      if (cookie.expiresAt <= Date.now()) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
  }

  /** The `Cookie` header for a request to `url`, or `undefined`. */
  header(url: URL): string | undefined {
    const now = Date.now();
    const matching = [...this.#cookies.values()]
      .filter((cookie) => cookie.expiresAt > now && pathMatches(url.pathname, cookie.path))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length === 0 ? undefined : matching.map((c) => `${c.name}=${c.value}`).join("; ");
  }
}

function defaultPath(url: URL): string {
  const slash = url.pathname.lastIndexOf("/");
  return slash <= 0 ? "/" : url.pathname.slice(0, slash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}
