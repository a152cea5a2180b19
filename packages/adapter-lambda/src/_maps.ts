import { LightHeaders } from "@portico/host";
import type { MultiStringMap, StringMap } from "./_types.ts";

const utf8 = new TextEncoder();

/**
 * A header value as a byte string. Events carry header values as text decoded from UTF-8, where a
 * character above U+00FF (a CDN's `cf-ipcity: Łódź`, a UTF-8 cookie) is no byte and `Headers`
 * would refuse it — and with it the whole request. Such a value becomes its UTF-8 bytes, one
 * character each: what a server reading the wire (Node's http) hands over for the same bytes.
 */
export function byteString(value: string): string {
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0xff) {
      const bytes = utf8.encode(value);
      let out = "";
      for (let at = 0; at < bytes.length; at += 0x8000)
        out += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
      return out;
    }
  }
  return value;
}

/** `Headers` (light ones: no undici on Node) from an event's header maps; the multi-value map wins when present (it has them all). */
export function headersFrom(
  single: StringMap | null | undefined,
  multi: MultiStringMap | null | undefined,
): LightHeaders {
  const headers = new LightHeaders();
  if (multi) {
    for (const [name, values] of Object.entries(multi)) {
      for (const value of values ?? []) headers.append(name, byteString(value));
    }
  } else if (single) {
    for (const [name, value] of Object.entries(single)) {
      if (value !== undefined) headers.append(name, byteString(value));
    }
  }
  return headers;
}

/**
 * A query string (with `?`) from parameter maps. API Gateway hands over decoded values, which are
 * encoded again; ALB hands them over as the client sent them (`raw`), which are kept verbatim.
 */
export function queryFrom(
  single: StringMap | null | undefined,
  multi: MultiStringMap | null | undefined,
  raw: boolean,
): string {
  const pairs: string[] = [];
  const add = (name: string, value: string) =>
    pairs.push(raw ? `${name}=${value}` : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  if (multi) {
    for (const [name, values] of Object.entries(multi)) for (const value of values ?? []) add(name, value);
  } else if (single) {
    for (const [name, value] of Object.entries(single)) if (value !== undefined) add(name, value);
  }
  return pairs.length === 0 ? "" : `?${pairs.join("&")}`;
}

/** Single-valued result headers (repeats joined with ", ") without `set-cookie`, and the cookies apart. */
export function splitHeaders(headers: Headers): { single: Record<string, string>; cookies: string[] } {
  const single: Record<string, string> = {};
  for (const [name, value] of headers) if (name !== "set-cookie") single[name] = value;
  return { single, cookies: headers.getSetCookie() };
}
