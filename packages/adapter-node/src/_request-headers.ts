import type { IncomingMessage } from "node:http";

/**
 * Fetch `Headers` from the raw header list, so nothing Node would fold or drop is lost: repeated
 * fields are joined with ", " (the Fetch rule), except `cookie`, whose values are joined with "; "
 * (RFC 9113 §8.2.3), and `set-cookie`, whose values stay separate (`headers.getSetCookie()`).
 * HTTP/2 pseudo-headers (`:path`, `:authority`, …) are skipped.
 */
export function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  let cookie: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (name.startsWith(":")) continue;
    if (name.length === 6 && name.toLowerCase() === "cookie") {
      cookie = cookie === undefined ? value : `${cookie}; ${value}`;
      continue;
    }
    headers.append(name, value);
  }
  if (cookie !== undefined) headers.set("cookie", cookie);
  return headers;
}
