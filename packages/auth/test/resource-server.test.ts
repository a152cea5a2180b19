/** oauthResourceServer: metadata, challenges, options, and the JWT checks one by one (no HTTP server needed). */
import { exportJWK, generateSecret, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type OAuthResourceServerOptions, oauthResourceServer } from "../src/index.ts";
import { at, type Loose, mint, type SigningKey, signingKey, stopAll } from "./_idp.ts";

const RESOURCE = "https://mcp.example.test/mcp";
const ISSUER = "https://issuer.example.test";
const METADATA = "https://mcp.example.test/.well-known/oauth-protected-resource/mcp";

let rsa: SigningKey;
let ec: SigningKey;
let ed: SigningKey;

beforeAll(async () => {
  [rsa, ec, ed] = await Promise.all([signingKey("RS256"), signingKey("ES256"), signingKey("EdDSA")]);
});
afterAll(stopAll);

function server(extra: Loose<OAuthResourceServerOptions> = {}) {
  return oauthResourceServer({
    resource: RESOURCE,
    authorizationServers: [ISSUER],
    jwks: { keys: [rsa.jwk, ec.jwk, ed.jwk] },
    fetch: () => Promise.reject(new Error("no fetch expected")),
    ...extra,
  } as OAuthResourceServerOptions);
}

function withToken(token: string, init: RequestInit = {}): Request {
  return new Request(RESOURCE, { method: "POST", ...init, headers: { authorization: `Bearer ${token}` } });
}

const valid = (extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: RESOURCE,
  sub: "u1",
  exp: at(300),
  ...extra,
});

describe("Protected Resource Metadata", () => {
  let auth: ReturnType<typeof server>;
  beforeAll(() => {
    auth = server({
      scopesSupported: ["files:read", "files:write"],
      resourceName: "Files",
      resourceDocumentation: "https://docs.example.test",
    });
  });

  it.each([
    "https://mcp.example.test/.well-known/oauth-protected-resource/mcp",
    "https://mcp.example.test/.well-known/oauth-protected-resource",
  ])("GET %s answers the RFC 9728 document", async (url) => {
    const response = (await auth.serve!(new Request(url), {}))!;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response.json()).toEqual({
      resource: RESOURCE,
      authorization_servers: [ISSUER],
      scopes_supported: ["files:read", "files:write"],
      bearer_methods_supported: ["header"],
      resource_name: "Files",
      resource_documentation: "https://docs.example.test",
    });
  });

  it("HEAD answers the headers without a body; OPTIONS a preflight; POST 405", async () => {
    const head = (await auth.serve!(new Request(METADATA, { method: "HEAD" }), {}))!;
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("application/json");
    expect(await head.text()).toBe("");
    const options = (await auth.serve!(new Request(METADATA, { method: "OPTIONS" }), {}))!;
    expect(options.status).toBe(204);
    const post = (await auth.serve!(new Request(METADATA, { method: "POST", body: "{}" }), {}))!;
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  });

  it("returns undefined for every other path (the MCP endpoint, other well-known paths)", async () => {
    for (const url of [
      RESOURCE,
      "https://mcp.example.test/.well-known/oauth-protected-resource/other",
      "https://mcp.example.test/.well-known/oauth-authorization-server",
      "https://mcp.example.test/",
    ]) {
      expect(await auth.serve!(new Request(url), {})).toBeUndefined();
    }
  });

  it("a root resource has one metadata path; minimal fields only", async () => {
    const root = server({ resource: "https://MCP.example.test/" });
    const response = (await root.serve!(
      new Request("https://mcp.example.test/.well-known/oauth-protected-resource"),
      {},
    ))!;
    expect(await response.json()).toEqual({
      resource: "https://mcp.example.test",
      authorization_servers: [ISSUER],
      bearer_methods_supported: ["header"],
    });
    const missing = await root.authenticate(new Request("https://mcp.example.test/"), {});
    expect((missing as Response).headers.get("www-authenticate")).toBe(
      'Bearer resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource"',
    );
  });
});

describe("construction", () => {
  it("performs no I/O and draws no random values", () => {
    const fetch = vi.fn(() => Promise.reject(new Error("no")));
    const random = vi.spyOn(Math, "random");
    const values = vi.spyOn(crypto, "getRandomValues");
    const uuid = vi.spyOn(crypto, "randomUUID");
    try {
      oauthResourceServer({ resource: RESOURCE, authorizationServers: [ISSUER], fetch }); // discovery
      oauthResourceServer({ resource: RESOURCE, issuer: ISSUER, jwksUrl: `${ISSUER}/jwks`, fetch });
      oauthResourceServer({
        resource: RESOURCE,
        issuer: ISSUER,
        fetch,
        introspection: { endpoint: `${ISSUER}/introspect`, clientId: "c", clientSecret: "s" },
      });
      expect(fetch).not.toHaveBeenCalled();
      expect(random).not.toHaveBeenCalled();
      expect(values).not.toHaveBeenCalled();
      expect(uuid).not.toHaveBeenCalled();
    } finally {
      random.mockRestore();
      values.mockRestore();
      uuid.mockRestore();
    }
  });

  it.each<[string, Loose<OAuthResourceServerOptions>]>([
    ["an http resource off localhost", { resource: "http://mcp.example.test/mcp" }],
    ["a resource with a fragment", { resource: "https://mcp.example.test/mcp#x" }],
    ["a resource with a query", { resource: "https://mcp.example.test/mcp?a=1" }],
    ["no issuer at all", { authorizationServers: undefined }],
    ['"none" in algorithms', { algorithms: ["none"] }],
    ["HS256 without a secret", { algorithms: ["RS256", "HS256"] }],
    ["RS256 next to a secret", { jwks: undefined, secret: "x".repeat(32), algorithms: ["RS256"] }],
    ["a short secret", { jwks: undefined, secret: "too short" }],
    ["two key sources", { jwksUrl: "https://issuer.example.test/jwks" }],
    ["client_id audience without client ids", { audienceClaim: "client_id" }],
    ["a scope with a space", { requiredScopes: ["a b"] }],
    ["a negative leeway", { clockToleranceSeconds: -1 }],
  ])("refuses %s with a TypeError", (_name, extra) => {
    expect(() => server(extra)).toThrow(TypeError);
  });

  it("accepts http on localhost (development)", () => {
    expect(() => server({ resource: "http://localhost:3000/mcp" })).not.toThrow();
  });
});

describe("JWT checks", () => {
  let auth: ReturnType<typeof server>;
  beforeAll(() => {
    auth = server();
  });

  it.each([
    ["RS256", () => rsa],
    ["ES256", () => ec],
    ["EdDSA", () => ed],
  ])("accepts a valid %s token and builds AuthInfo", async (_alg, key) => {
    const token = await mint(key(), valid({ scope: "a b", client_id: "app-1", extra: 1 }));
    const info = await auth.authenticate(withToken(token), {});
    expect(info).toEqual({
      token,
      subject: "u1",
      clientId: "app-1",
      scopes: ["a", "b"],
      expiresAt: expect.any(Number),
      issuer: ISSUER,
      claims: expect.objectContaining({ extra: 1, sub: "u1" }),
    });
  });

  it("accepts typ at+jwt, application/at+jwt, JWT, or none; refuses others", async () => {
    for (const typ of ["at+jwt", "application/at+jwt", "JWT", undefined]) {
      const token = await mint(rsa, valid(), { typ });
      expect(await auth.authenticate(withToken(token), {})).toHaveProperty("subject", "u1");
    }
    for (const typ of ["id_token+jwt", "logout+jwt", "dpop+jwt"]) {
      const token = await mint(rsa, valid(), { typ });
      expect(await auth.authenticate(withToken(token), {})).toHaveProperty("status", 401);
    }
  });

  it("audience: an array containing the resource; the canonical form; nothing else", async () => {
    const ok = async (aud: unknown) =>
      !((await auth.authenticate(withToken(await mint(rsa, valid({ aud }))), {})) instanceof Response);
    expect(await ok(["https://other.example", RESOURCE])).toBe(true);
    expect(await ok("HTTPS://MCP.EXAMPLE.TEST:443/mcp")).toBe(true);
    expect(await ok("https://mcp.example.test/MCP")).toBe(false);
    expect(await ok("https://mcp.example.test/mcp/")).toBe(false);
    expect(await ok("https://mcp.example.test")).toBe(false);
    expect(await ok([])).toBe(false);
    expect(await ok(undefined)).toBe(false);
  });

  it("scopes from scp (array or string) when there is no scope claim", async () => {
    const a = await auth.authenticate(withToken(await mint(rsa, valid({ scp: ["x", "y"] }))), {});
    expect(a).toHaveProperty("scopes", ["x", "y"]);
    const b = await auth.authenticate(withToken(await mint(rsa, valid({ scp: "x y" }))), {});
    expect(b).toHaveProperty("scopes", ["x", "y"]);
    const c = await auth.authenticate(withToken(await mint(rsa, valid())), {});
    expect(c).toHaveProperty("scopes", []);
  });

  it("leeway: 30 s by default, configurable", async () => {
    const late = await mint(rsa, valid({ exp: at(-10) }));
    expect(await auth.authenticate(withToken(late), {})).toHaveProperty("subject", "u1");
    const strict = server({ clockToleranceSeconds: 0 });
    expect(await strict.authenticate(withToken(late), {})).toHaveProperty("status", 401);
    const early = await mint(rsa, valid({ nbf: at(20) }));
    expect(await auth.authenticate(withToken(early), {})).toHaveProperty("subject", "u1");
  });

  it("a token without kid verifies against the key set's keys in turn", async () => {
    const second = await signingKey("RS256");
    const twoRsa = server({ jwks: { keys: [rsa.jwk, second.jwk].map(({ kid: _k, ...jwk }) => jwk) } });
    const token = await mint(second, valid(), { kid: undefined });
    expect(await twoRsa.authenticate(withToken(token), {})).toHaveProperty("subject", "u1");
  });

  it("Cognito: audience from client_id, token_use required", async () => {
    const cognito = server({
      audienceClaim: "client_id",
      audience: ["app-client-1"],
      requiredClaims: { token_use: "access" },
    });
    const access = await mint(rsa, {
      iss: ISSUER,
      sub: "u1",
      client_id: "app-client-1",
      token_use: "access",
      exp: at(300),
    });
    expect(await cognito.authenticate(withToken(access), {})).toHaveProperty("clientId", "app-client-1");
    const idToken = await mint(rsa, {
      iss: ISSUER,
      sub: "u1",
      aud: "app-client-1",
      token_use: "id",
      exp: at(300),
    });
    expect(await cognito.authenticate(withToken(idToken), {})).toHaveProperty("status", 401);
    const otherClient = await mint(rsa, {
      iss: ISSUER,
      sub: "u1",
      client_id: "app-client-2",
      token_use: "access",
      exp: at(300),
    });
    expect(await cognito.authenticate(withToken(otherClient), {})).toHaveProperty("status", 401);
  });

  it("several issuers are accepted, any other is not", async () => {
    const two = server({ authorizationServers: [ISSUER, "https://second.example.test"] });
    const token = await mint(rsa, valid({ iss: "https://second.example.test" }));
    expect(await two.authenticate(withToken(token), {})).toHaveProperty(
      "issuer",
      "https://second.example.test",
    );
  });

  it("HS256 only with a configured secret, and then no asymmetric token", async () => {
    const secret = await generateSecret("HS256", { extractable: true });
    const bytes = new Uint8Array(Buffer.from((await exportJWK(secret)).k!, "base64url"));
    const hmac = server({ jwks: undefined, secret: bytes });
    const token = await new SignJWT(valid()).setProtectedHeader({ alg: "HS256" }).sign(bytes);
    expect(await hmac.authenticate(withToken(token), {})).toHaveProperty("subject", "u1");
    expect(await hmac.authenticate(withToken(await mint(rsa, valid())), {})).toHaveProperty("status", 401);
    expect(await server().authenticate(withToken(token), {})).toHaveProperty("status", 401);
  });

  it("a token over maxTokenBytes is refused unread", async () => {
    const small = server({ maxTokenBytes: 100 });
    const token = await mint(rsa, valid());
    const answer = (await small.authenticate(withToken(token), {})) as Response;
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("admits CORS preflights without credentials (the core answers them)", async () => {
    expect(await auth.authenticate(new Request(RESOURCE, { method: "OPTIONS" }), {})).toBeUndefined();
  });
});
