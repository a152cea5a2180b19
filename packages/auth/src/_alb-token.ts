/**
 * The `x-amzn-oidc-data` token of an AWS Application Load Balancer: a JWS signed ES256, but its
 * segments are base64url *with* `=` padding, which JWS forbids and strict decoders refuse. The
 * signature covers the segments exactly as transmitted, so it is checked here with WebCrypto over
 * those bytes, and the segments are decoded by a decoder that accepts the padding (and only
 * correct padding).
 */

/** A base64url segment, optionally padded to a multiple of 4. */
const SEGMENT = /^[A-Za-z0-9_-]+={0,2}$/;

/** The bytes of a base64url segment with or without padding; `undefined` if malformed. */
export function decodeSegment(segment: string): Uint8Array<ArrayBuffer> | undefined {
  if (!SEGMENT.test(segment)) return undefined;
  const bare = segment.replace(/=+$/, "");
  if (bare.length % 4 === 1) return undefined;
  if (bare.length !== segment.length && segment.length % 4 !== 0) return undefined;
  let binary: string;
  try {
    binary = atob(bare.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function jsonObject(bytes: Uint8Array | undefined): Record<string, unknown> | undefined {
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface AlbToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
}

/** The parts of a token, unverified; `undefined` if it is not three well-formed segments. */
export function parseAlbToken(token: string): AlbToken | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = jsonObject(decodeSegment(headerPart));
  const payload = jsonObject(decodeSegment(payloadPart));
  const signature = decodeSegment(signaturePart);
  if (header === undefined || payload === undefined || signature === undefined) return undefined;
  return {
    header,
    payload,
    signature,
    signingInput: new TextEncoder().encode(`${headerPart}.${payloadPart}`),
  };
}

/** ES256 (ECDSA P-256, SHA-256, the 64-byte r‖s signature of JWS). */
export async function verifyEs256(key: CryptoKey, token: AlbToken): Promise<boolean> {
  if (token.signature.byteLength !== 64) return false;
  try {
    return await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      token.signature,
      token.signingInput,
    );
  } catch {
    return false;
  }
}
