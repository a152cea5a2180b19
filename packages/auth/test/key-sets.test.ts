/**
 * Remote key sets and discovery against a real JWKS / metadata server: cached across requests,
 * refetched on key rotation, refetches rate-limited, outages answered 503 + Retry-After and reported
 * once, stale keys kept when a refresh fails.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  type AuthErrorSource,
  AuthUnavailableError,
  type OAuthResourceServerOptions,
  oauthResourceServer,
} from "../src/index.ts";
import {
  at,
  deadUrl,
  type Idp,
  type Loose,
  mint,
  type SigningKey,
  signingKey,
  startIdp,
  stopAll,
} from "./_idp.ts";

const RESOURCE = "https://mcp.example.test/mcp";

afterAll(stopAll);

let idp: Idp;
let key: SigningKey;
let clock: number;
let reported: { error: unknown; where: AuthErrorSource }[];

beforeEach(async () => {
  idp = await startIdp();
  key = await signingKey("ES256");
  idp.keys.push(key.jwk);
  clock = Date.now();
  reported = [];
});

function server(extra: Loose<OAuthResourceServerOptions> = {}) {
  return oauthResourceServer({
    resource: RESOURCE,
    authorizationServers: [idp.url],
    jwksUrl: `${idp.url}/jwks`,
    now: () => clock,
    onError: (error, where) => reported.push({ error, where }),
    ...extra,
  } as OAuthResourceServerOptions);
}

const claims = () => ({ iss: idp.url, aud: RESOURCE, sub: "u1", exp: at(3600) });

async function call(auth: ReturnType<typeof server>, token: string) {
  const answer = await auth.authenticate(
    new Request(RESOURCE, { method: "POST", headers: { authorization: `Bearer ${token}` } }),
    {},
  );
  return answer instanceof Response
    ? { status: answer.status, retryAfter: answer.headers.get("retry-after") }
    : answer;
}

describe("a remote key set", () => {
  it("is fetched once for many requests (also concurrent ones)", async () => {
    const auth = server();
    const token = await mint(key, claims());
    const answers = await Promise.all(Array.from({ length: 10 }, () => call(auth, token)));
    for (let i = 0; i < 10; i++) answers.push(await call(auth, token));
    for (const answer of answers) expect(answer).toHaveProperty("subject", "u1");
    expect(idp.hits("/jwks")).toBe(1);
  });

  it("is refetched after jwksCacheSeconds", async () => {
    const auth = server({ jwksCacheSeconds: 60 });
    const token = await mint(key, claims());
    await call(auth, token);
    clock += 59_000;
    await call(auth, token);
    expect(idp.hits("/jwks")).toBe(1);
    clock += 2_000;
    expect(await call(auth, token)).toHaveProperty("subject", "u1");
    expect(idp.hits("/jwks")).toBe(2);
  });

  it("follows key rotation: an unknown kid refetches, once the cooldown has passed", async () => {
    const auth = server();
    expect(await call(auth, await mint(key, claims()))).toHaveProperty("subject", "u1");
    const next = await signingKey("ES256");
    idp.keys.push(next.jwk);
    const rotated = await mint(next, claims());
    // Within 30 s of the last fetch the unknown kid is refused without a fetch…
    expect(await call(auth, rotated)).toEqual({ status: 401, retryAfter: null });
    expect(idp.hits("/jwks")).toBe(1);
    // …after it, the set is refetched and the new key verifies.
    clock += 31_000;
    expect(await call(auth, rotated)).toHaveProperty("subject", "u1");
    expect(idp.hits("/jwks")).toBe(2);
    expect(reported).toEqual([]);
  });

  it("rate-limits refetches: a flood of unknown kids costs at most one fetch per cooldown", async () => {
    const auth = server();
    await call(auth, await mint(key, claims()));
    const forger = await signingKey("ES256");
    const flood = async () => {
      const tokens = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          mint({ ...forger, kid: `made-up-${i}-${Math.random()}` }, claims()),
        ),
      );
      return Promise.all(tokens.map((t) => call(auth, t)));
    };
    for (const answer of await flood()) expect(answer).toEqual({ status: 401, retryAfter: null });
    expect(idp.hits("/jwks")).toBe(1);
    clock += 31_000;
    for (const answer of await flood()) expect(answer).toEqual({ status: 401, retryAfter: null });
    expect(idp.hits("/jwks")).toBe(2);
    clock += 10_000;
    await flood();
    expect(idp.hits("/jwks")).toBe(2);
    expect(reported).toEqual([]);
  });

  it("endpoint answering 500: 503 + Retry-After, reported once, no fetch while backing off, then recovers", async () => {
    idp.down = true;
    const auth = server();
    const token = await mint(key, claims());
    const answers = await Promise.all(Array.from({ length: 5 }, () => call(auth, token)));
    for (let i = 0; i < 5; i++) answers.push(await call(auth, token));
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 503 });
      expect(Number((answer as { retryAfter: string }).retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(idp.hits("/jwks")).toBe(1);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.where).toBe("jwks");
    expect(reported[0]!.error).toBeInstanceOf(AuthUnavailableError);
    idp.down = false;
    clock += 6_000;
    expect(await call(auth, token)).toHaveProperty("subject", "u1");
    expect(idp.hits("/jwks")).toBe(2);
    expect(reported).toHaveLength(1);
  });

  it("endpoint unreachable (nothing listens): 503, reported once", async () => {
    const auth = server({ jwksUrl: `${await deadUrl()}/jwks` });
    const token = await mint(key, claims());
    expect(await call(auth, token)).toMatchObject({ status: 503, retryAfter: "5" });
    expect(await call(auth, token)).toMatchObject({ status: 503 });
    expect(reported.map((r) => r.where)).toEqual(["jwks"]);
  });

  it("keeps serving stale keys when a refresh fails (reported once)", async () => {
    const auth = server({ jwksCacheSeconds: 60 });
    const token = await mint(key, claims());
    await call(auth, token);
    idp.down = true;
    clock += 61_000;
    expect(await call(auth, token)).toHaveProperty("subject", "u1");
    expect(await call(auth, token)).toHaveProperty("subject", "u1");
    expect(reported).toHaveLength(1);
    expect(idp.hits("/jwks")).toBe(2);
  });

  it("refuses without any fetch a token the policy refuses anyway (alg, typ, issuer)", async () => {
    const auth = server();
    const rsa = await signingKey("RS256");
    await call(auth, await mint(rsa, claims(), { alg: "RS256", typ: "id_token+jwt" }));
    expect(idp.hits("/jwks")).toBe(0);
    const hmac = await mint({ ...key, alg: "HS256", privateKey: new Uint8Array(32) as never }, claims());
    expect(await call(auth, hmac)).toMatchObject({ status: 401 });
    expect(idp.hits("/jwks")).toBe(0);
  });

  it("drops private and symmetric members a careless JWKS publishes", async () => {
    idp.keys.length = 0;
    const exported = { ...key.jwk, d: "private-part" };
    idp.keys.push(exported, { kty: "oct", k: "c2VjcmV0", kid: "oct" });
    const auth = server();
    expect(await call(auth, await mint(key, claims()))).toHaveProperty("subject", "u1");
  });
});

describe("discovery from the issuer's metadata", () => {
  function discovering(extra: Loose<OAuthResourceServerOptions> = {}) {
    return server({ jwksUrl: undefined, ...extra });
  }

  it("reads jwks_uri from /.well-known/oauth-authorization-server, once", async () => {
    const auth = discovering();
    const token = await mint(key, claims());
    for (let i = 0; i < 5; i++) expect(await call(auth, token)).toHaveProperty("subject", "u1");
    expect(idp.hits("/.well-known/oauth-authorization-server")).toBe(1);
    expect(idp.hits("/.well-known/openid-configuration")).toBe(0);
    expect(idp.hits("/jwks")).toBe(1);
  });

  it("falls back to /.well-known/openid-configuration", async () => {
    idp.metadata.oauth = false;
    const auth = discovering();
    expect(await call(auth, await mint(key, claims()))).toHaveProperty("subject", "u1");
    expect(idp.hits("/.well-known/oauth-authorization-server")).toBe(1);
    expect(idp.hits("/.well-known/openid-configuration")).toBe(1);
  });

  it("an issuer with a path (Cognito-style): path insertion first, then path appending", async () => {
    idp.metadata.oauth = false;
    idp.metadata.oidcAppendedOnly = true; // as Cognito: only <issuer>/.well-known/openid-configuration
    const issuer = `${idp.url}/eu-west-1_pool`;
    idp.metadata.issuer = issuer;
    const auth = discovering({ authorizationServers: [issuer] });
    expect(await call(auth, await mint(key, { ...claims(), iss: issuer }))).toHaveProperty("issuer", issuer);
    expect(idp.hits("/.well-known/oauth-authorization-server/eu-west-1_pool")).toBe(1);
    expect(idp.hits("/.well-known/openid-configuration/eu-west-1_pool")).toBe(1);
    expect(idp.hits("/eu-west-1_pool/.well-known/openid-configuration")).toBe(1);
    expect(idp.hits("/.well-known/oauth-authorization-server")).toBe(0);
  });

  it("metadata naming another issuer is not used: 503, reported as metadata", async () => {
    idp.metadata.issuer = "https://someone-else.example";
    const auth = discovering();
    expect(await call(auth, await mint(key, claims()))).toMatchObject({ status: 503 });
    expect(reported.map((r) => r.where)).toEqual(["metadata"]);
    expect(idp.hits("/jwks")).toBe(0);
  });

  it("a jwks_uri that is not https is not used: 503, reported as metadata, no key fetched", async () => {
    // OpenID Connect Discovery 1.0 §3: jwks_uri MUST use the https scheme (keys fetched in clear
    // text can be swapped on the path, and then any token verifies).
    idp.metadata.jwksUri = "http://keys.example.test/jwks";
    const route: typeof fetch = (input, init) =>
      fetch(String(input).replace("http://keys.example.test", idp.url), init);
    const auth = discovering({ fetch: route });
    expect(await call(auth, await mint(key, claims()))).toMatchObject({ status: 503 });
    expect(reported.map((r) => r.where)).toEqual(["metadata"]);
    expect(idp.hits("/jwks")).toBe(0);
  });

  it("a token from an issuer that is not configured triggers no discovery at all", async () => {
    const auth = discovering();
    expect(await call(auth, await mint(key, { ...claims(), iss: "https://evil.example" }))).toMatchObject({
      status: 401,
    });
    expect(idp.hits("/.well-known/oauth-authorization-server")).toBe(0);
  });
});
