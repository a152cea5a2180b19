/**
 * AWS Signature Version 4 for header-signed requests, hashed in plain JavaScript (sha256.ts), so it
 * runs unchanged on Node, Lambda, Cloudflare Workers and Vercel Edge — and a Lambda cold start that
 * signs a call (a DynamoDB read, a secret) never loads Node's WebCrypto (~17–25 ms under the
 * runtime's `--expose-gc`).
 */
import { hmacSha256, sha256, toHex } from "./sha256.ts";

/** Long-term or temporary AWS credentials. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary credentials (Lambda, STS); sent as `x-amz-security-token`. */
  sessionToken?: string;
}

/** What {@link signRequest} signs. */
export interface SignInput {
  method: string;
  url: URL;
  /** Headers to send and sign (names in any case). `host` and `x-amz-date` are added. */
  headers: Record<string, string>;
  body: string;
  credentials: AwsCredentials;
  region: string;
  service: string;
  /** Request time; defaults to now. */
  date?: Date;
}

const ALGORITHM = "AWS4-HMAC-SHA256";

/**
 * The headers to send: the input headers (lower-cased) plus `x-amz-date`,
 * `x-amz-security-token` (temporary credentials) and `authorization`. Every header passed in is
 * signed, together with `host`.
 */
export async function signRequest(input: SignInput): Promise<Record<string, string>> {
  const stamp = amzDate(input.date ?? new Date());
  const day = stamp.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = value;
  headers["x-amz-date"] = stamp;
  if (input.credentials.sessionToken) headers["x-amz-security-token"] = input.credentials.sessionToken;

  const signing: Record<string, string> = { ...headers, host: input.url.host };
  const names = Object.keys(signing).sort();
  const signedHeaders = names.join(";");
  const canonicalHeaders = names.map((name) => `${name}:${normaliseValue(signing[name]!)}\n`).join("");
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalPath(input.url.pathname),
    canonicalQuery(input.url.searchParams),
    canonicalHeaders,
    signedHeaders,
    toHex(sha256(input.body)),
  ].join("\n");

  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = [ALGORITHM, stamp, scope, toHex(sha256(canonicalRequest))].join("\n");
  const key = signingKey(input.credentials.secretAccessKey, day, input.region, input.service);
  const signature = toHex(hmacSha256(key, stringToSign));
  headers.authorization =
    `${ALGORITHM} Credential=${input.credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function amzDate(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

function normaliseValue(value: string): string {
  return value.trim().replace(/\s+/g, " ");
}

/** RFC 3986 encoding of one URI component: everything but unreserved characters is escaped. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The canonical URI of a non-S3 service: repeated slashes collapsed, then each segment of the
 * (already percent-encoded) path encoded once more, as SigV4 specifies for everything but S3.
 */
function canonicalPath(pathname: string): string {
  const path = pathname.replace(/\/{2,}/g, "/") || "/";
  return path.split("/").map(uriEncode).join("/");
}

function canonicalQuery(params: URLSearchParams): string {
  const pairs: [string, string][] = [];
  for (const [name, value] of params) if (name !== "") pairs.push([uriEncode(name), uriEncode(value)]);
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}

/** Signing keys change once a day per secret, region and service; a few are kept. */
const keyCache = new Map<string, Uint8Array>();
const KEY_CACHE_SIZE = 8;

function signingKey(secret: string, day: string, region: string, service: string): Uint8Array {
  const cacheKey = `${day}\n${region}\n${service}\n${secret}`;
  let key = keyCache.get(cacheKey);
  if (key === undefined) {
    key = hmacSha256(`AWS4${secret}`, day);
    for (const part of [region, service, "aws4_request"]) key = hmacSha256(key, part);
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return key;
}
