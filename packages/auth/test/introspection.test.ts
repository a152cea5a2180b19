/** RFC 7662 introspection of opaque tokens against a real endpoint: accepted, cached until exp, refused, unavailable. */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { type AuthErrorSource, type OAuthResourceServerOptions, oauthResourceServer } from "../src/index.ts";
import { at, deadUrl, type Idp, type Loose, mint, signingKey, startIdp, stopAll } from "./_idp.ts";

const RESOURCE = "https://mcp.example.test/mcp";

afterAll(stopAll);

let idp: Idp;
let clock: number;
let reported: AuthErrorSource[];

beforeEach(async () => {
  idp = await startIdp();
  clock = Date.now();
  reported = [];
});

function server(
  extra: Loose<NonNullable<OAuthResourceServerOptions["introspection"]>> = {},
  more: Loose<OAuthResourceServerOptions> = {},
) {
  return oauthResourceServer({
    resource: RESOURCE,
    authorizationServers: [idp.url],
    introspection: { endpoint: `${idp.url}/introspect`, ...idp.introspectionClient, ...extra },
    now: () => clock,
    onError: (_error, where) => reported.push(where),
    ...more,
  } as OAuthResourceServerOptions);
}

async function call(auth: ReturnType<typeof server>, token: string) {
  const answer = await auth.authenticate(
    new Request(RESOURCE, { method: "POST", headers: { authorization: `Bearer ${token}` } }),
    {},
  );
  return answer instanceof Response
    ? {
        status: answer.status,
        challenge: answer.headers.get("www-authenticate"),
        retryAfter: answer.headers.get("retry-after"),
      }
    : answer;
}

const active = (extra: Record<string, unknown> = {}) => ({
  active: true,
  iss: idp.url,
  aud: RESOURCE,
  sub: "opaque-user",
  client_id: "client-9",
  scope: "files:read",
  exp: at(300),
  ...extra,
});

describe("introspection", () => {
  it("accepts an active token and reuses the answer until exp (one call for many uses)", async () => {
    idp.introspection.set("opaque-token-1", active());
    const auth = server();
    for (let i = 0; i < 5; i++) {
      expect(await call(auth, "opaque-token-1")).toMatchObject({
        token: "opaque-token-1",
        subject: "opaque-user",
        clientId: "client-9",
        scopes: ["files:read"],
        issuer: idp.url,
      });
    }
    expect(idp.hits("/introspect")).toBe(1);
    // Past exp the cache is not used; the answer (still claiming that exp) is then refused.
    clock += 301_000 + 30_000;
    expect(await call(auth, "opaque-token-1")).toMatchObject({ status: 401 });
    expect(idp.hits("/introspect")).toBe(2);
  });

  it("maxCacheSeconds bounds the reuse (revocation latency)", async () => {
    idp.introspection.set("opaque-token-2", active());
    const auth = server({ maxCacheSeconds: 10 });
    await call(auth, "opaque-token-2");
    clock += 11_000;
    idp.introspection.set("opaque-token-2", { active: false });
    expect(await call(auth, "opaque-token-2")).toMatchObject({ status: 401 });
    expect(idp.hits("/introspect")).toBe(2);
  });

  it("inactive → 401 invalid_token (and not asked again at once)", async () => {
    const auth = server();
    const answer = await call(auth, "revoked-token");
    expect(answer).toMatchObject({ status: 401 });
    expect((answer as { challenge: string }).challenge).toContain('error="invalid_token"');
    await call(auth, "revoked-token");
    expect(idp.hits("/introspect")).toBe(1);
    expect(reported).toEqual([]);
  });

  it.each([
    ["another audience", { aud: "https://other.example/mcp" }],
    ["no audience", { aud: undefined }],
    ["another issuer", { iss: "https://evil.example" }],
    ['active: "true" (a string)', { active: "true" }],
    ["expired", { exp: at(-120) }],
    // A refresh token introspects as active on many servers; it is not an access token.
    ['token_type: "refresh_token"', { token_type: "refresh_token" }],
    ['token_use: "refresh_token" (Ory Hydra)', { token_use: "refresh_token" }],
    ['typ: "Refresh" (Keycloak)', { typ: "Refresh" }],
  ])("refuses an answer with %s", async (_name, change) => {
    idp.introspection.set("token-x", active(change));
    expect(await call(server(), "token-x")).toMatchObject({ status: 401 });
  });

  it("accepts answers that say the token is an access token", async () => {
    for (const [i, change] of [
      { token_type: "Bearer" },
      { token_type: "DPoP" },
      { token_use: "access_token" },
      { typ: "Bearer" },
    ].entries()) {
      idp.introspection.set(`typed-${i}`, active(change));
      expect(await call(server(), `typed-${i}`), JSON.stringify(change)).toMatchObject({
        subject: "opaque-user",
      });
    }
  });

  it("endpoint down (500 for every token) → 503 + Retry-After; backs off after three different tokens; cached tokens keep working", async () => {
    idp.introspection.set("cached-token", active());
    const auth = server();
    await call(auth, "cached-token");
    idp.down = true;
    // A 500 may be about the one token sent: new tokens are still tried until three in a row failed.
    for (const token of ["new-token-1", "new-token-2", "new-token-3"]) {
      expect(await call(auth, token)).toMatchObject({ status: 503, retryAfter: "5" });
    }
    expect(await call(auth, "other-new-token")).toMatchObject({ status: 503, retryAfter: "5" });
    expect(await call(auth, "cached-token")).toHaveProperty("subject", "opaque-user");
    expect(reported).toEqual(["introspection", "introspection", "introspection"]);
    expect(idp.hits("/introspect")).toBe(4);
  });

  it("a token the endpoint refuses to introspect (400) → 401 for it, no back-off for the others", async () => {
    idp.introspection.set("good-token", active());
    const auth = server();
    expect(await call(auth, "unparsable-token")).toMatchObject({ status: 401 });
    expect(await call(auth, "good-token")).toHaveProperty("subject", "opaque-user");
    expect(reported).toEqual([]);
  });

  it("endpoint unreachable → 503; wrong client credentials → 503 (our misconfiguration, not the caller's)", async () => {
    const dead = oauthResourceServer({
      resource: RESOURCE,
      authorizationServers: [idp.url],
      introspection: { endpoint: `${await deadUrl()}/introspect`, clientId: "a", clientSecret: "b" },
      onError: (_e, where) => reported.push(where),
    });
    expect(await call(dead, "t1")).toMatchObject({ status: 503 });
    expect(await call(server({ clientSecret: "wrong" }), "t2")).toMatchObject({ status: 503 });
    expect(reported).toEqual(["introspection", "introspection"]);
  });

  it('JWTs are still verified locally unless tokens: "all"', async () => {
    const key = await signingKey("RS256");
    idp.keys.push(key.jwk);
    const jwt = await mint(key, { iss: idp.url, aud: RESOURCE, sub: "jwt-user", exp: at(300) });
    expect(await call(server(), jwt)).toHaveProperty("subject", "jwt-user");
    expect(idp.hits("/introspect")).toBe(0);
    idp.introspection.set(jwt, active({ sub: "introspected-user" }));
    expect(await call(server({ tokens: "all" }), jwt)).toHaveProperty("subject", "introspected-user");
    expect(idp.hits("/introspect")).toBe(1);
  });
});
