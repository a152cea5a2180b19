/**
 * A real authorization server stand-in on node:http (127.0.0.1, a free port): a JWKS, RFC 8414 /
 * OIDC metadata, an RFC 7662 introspection endpoint, ALB-style PEM keys and Cloudflare Access certs.
 * Every hit is counted per path; `down` makes it answer 500; `stopAll()` closes every server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

const running = new Set<Server>();

/** Closes every server started here; call from `afterAll`. */
export async function stopAll(): Promise<void> {
  const servers = [...running];
  running.clear();
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
}

type Handler = (request: IncomingMessage, body: string) => { status: number; body?: string; type?: string };

/** A node:http server on 127.0.0.1 with a free port, bounded in time (no request is left hanging). */
export async function listen(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const answer = handler(request, Buffer.concat(chunks).toString("utf8"));
      response.writeHead(answer.status, { "content-type": answer.type ?? "application/json" });
      response.end(answer.body ?? "");
    });
  });
  server.requestTimeout = 5_000;
  running.add(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

/** Options as tests write them: any member may be explicitly `undefined` (= left out). */
export type Loose<T> = { [K in keyof T]?: T[K] | undefined };

/** A URL on which nothing listens (a port that was free a moment ago). */
export async function deadUrl(): Promise<string> {
  const { url, server } = await listen(() => ({ status: 200 }));
  running.delete(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
  pem: string;
}

export async function signingKey(
  alg = "RS256",
  kid = `${alg.toLowerCase()}-${Math.random().toString(36).slice(2)}`,
): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicKey, jwk, pem: await exportSPKI(publicKey) };
}

export interface Idp {
  url: string;
  /** The keys served at /jwks (and /cdn-cgi/access/certs). */
  keys: JWK[];
  /** Which metadata documents exist: RFC 8414, OIDC, or both. */
  metadata: { oauth: boolean; oidc: boolean; issuer?: string; oidcAppendedOnly?: boolean; jwksUri?: string };
  /** Introspection answers by token; unknown tokens are `{ active: false }`. */
  introspection: Map<string, Record<string, unknown>>;
  /** PEM public keys by kid, at /alb/<kid>. */
  pems: Map<string, string>;
  /** Answer 500 on every path. */
  down: boolean;
  hits(path: string): number;
  readonly introspectionClient: { clientId: string; clientSecret: string };
}

export async function startIdp(): Promise<Idp> {
  const counts = new Map<string, number>();
  const client = { clientId: "rs client", clientSecret: "s3cret:with/odd chars" };
  const expectedAuth = `Basic ${Buffer.from(
    `${encodeURIComponent(client.clientId).replace(/%20/g, "+")}:${encodeURIComponent(client.clientSecret).replace(/%20/g, "+")}`,
  ).toString("base64")}`;
  const idp: Idp = {
    url: "",
    keys: [],
    metadata: { oauth: true, oidc: true },
    introspection: new Map(),
    pems: new Map(),
    down: false,
    hits: (path) => counts.get(path) ?? 0,
    introspectionClient: client,
  };
  const document = () =>
    JSON.stringify({
      issuer: idp.metadata.issuer ?? idp.url,
      jwks_uri: idp.metadata.jwksUri ?? `${idp.url}/jwks`,
      introspection_endpoint: `${idp.url}/introspect`,
    });
  const { url } = await listen((request, body) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (idp.down) return { status: 500, body: "{}" };
    if (path === "/jwks" || path === "/cdn-cgi/access/certs")
      return { status: 200, body: JSON.stringify({ keys: idp.keys }) };
    if (path.startsWith("/.well-known/oauth-authorization-server")) {
      return idp.metadata.oauth ? { status: 200, body: document() } : { status: 404 };
    }
    if (path.startsWith("/.well-known/openid-configuration")) {
      return idp.metadata.oidc && !idp.metadata.oidcAppendedOnly
        ? { status: 200, body: document() }
        : { status: 404 };
    }
    if (path.endsWith("/.well-known/openid-configuration")) {
      return idp.metadata.oidc ? { status: 200, body: document() } : { status: 404 };
    }
    if (path === "/introspect") {
      if (request.method !== "POST" || request.headers.authorization !== expectedAuth) return { status: 401 };
      if (!String(request.headers["content-type"]).startsWith("application/x-www-form-urlencoded"))
        return { status: 400 };
      const token = new URLSearchParams(body).get("token") ?? "";
      // Some servers refuse a token they cannot even parse with invalid_request.
      if (token.startsWith("unparsable")) return { status: 400, body: '{"error":"invalid_request"}' };
      return { status: 200, body: JSON.stringify(idp.introspection.get(token) ?? { active: false }) };
    }
    if (path.startsWith("/alb/")) {
      const pem = idp.pems.get(decodeURIComponent(path.slice(5)));
      return pem === undefined ? { status: 404 } : { status: 200, body: pem, type: "text/plain" };
    }
    return { status: 404 };
  });
  idp.url = url;
  return idp;
}

/** A signed JWT; `header` adds to (or overrides) `{ alg, kid, typ: "at+jwt" }`. */
export function mint(
  key: SigningKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims as JWTPayload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "at+jwt", ...header } as { alg: string })
    .sign(key.privateKey);
}

/** Epoch seconds, `offset` from now. */
export function at(offset = 0): number {
  return Math.floor(Date.now() / 1000) + offset;
}

/** base64url keeping the `=` padding, as ALB does. */
export const albSegment = (bytes: Uint8Array) =>
  Buffer.from(bytes).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
export const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/**
 * A token shaped as ALB makes them (ES256, padded base64url segments) from this `header` and
 * `payload` as given; `signatureBytes` replaces the signature (a forger's guess).
 */
export async function albSigned(
  signWith: SigningKey,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signatureBytes?: Uint8Array,
): Promise<string> {
  const h = albSegment(jsonBytes(header));
  const p = albSegment(jsonBytes(payload));
  const signature =
    signatureBytes ??
    new Uint8Array(
      await crypto.subtle.sign(
        { name: "ECDSA", hash: "SHA-256" },
        signWith.privateKey,
        new TextEncoder().encode(`${h}.${p}`),
      ),
    );
  return `${h}.${p}.${albSegment(signature)}`;
}
