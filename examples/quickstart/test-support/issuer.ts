/**
 * A stand-in authorization server for the OAuth tests: its key set (ES256) served on 127.0.0.1 for
 * `OAUTH_JWKS_URL`, and access tokens (`typ: at+jwt`) signed with its private key.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export const ISSUER = "https://auth.example.test";

export interface Issuer {
  jwksUrl: string;
  /** How many times the key set was fetched. */
  readonly requests: number;
  /** A token for `audience` with `scope` (space-separated), subject `user-1`, valid 5 minutes. */
  sign(audience: string, scope: string): Promise<string>;
  close(): Promise<void>;
}

export async function startIssuer(): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    get requests() {
      return requests;
    },
    sign: (audience, scope) =>
      new SignJWT({ scope, client_id: "quickstart-test" })
        .setProtectedHeader({ alg: "ES256", kid: "k1", typ: "at+jwt" })
        .setIssuer(ISSUER)
        .setAudience(audience)
        .setSubject("user-1")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(privateKey),
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
