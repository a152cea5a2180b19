/**
 * Hostile tokens through a real HTTP server (adapter-node around createHandler): every one is a 401
 * with a challenge and a body that says nothing, nothing is logged, and the server still serves a
 * valid token afterwards, in both MCP eras.
 */
import { exportSPKI, SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { oauthResourceServer } from "../src/index.ts";
import { at, type Idp, mint, type SigningKey, signingKey, startIdp, stopAll } from "./_idp.ts";
import { legacyWhoami, type McpUnderTest, modernWhoami, startMcp, UNAUTHORIZED_BODY } from "./_mcp.ts";

const RESOURCE = "https://mcp.example.test/mcp";
const METADATA = "https://mcp.example.test/.well-known/oauth-protected-resource/mcp";

let idp: Idp;
let key: SigningKey;
let mcp: McpUnderTest;
const authErrors: unknown[] = [];
let good: string;

beforeAll(async () => {
  idp = await startIdp();
  key = await signingKey("RS256");
  idp.keys.push(key.jwk);
  const auth = oauthResourceServer({
    resource: RESOURCE,
    authorizationServers: [idp.url],
    jwksUrl: `${idp.url}/jwks`,
    scopesSupported: ["mcp:tools"],
    onError: (error) => authErrors.push(error),
  });
  mcp = await startMcp(auth);
  good = await mint(key, { iss: idp.url, aud: RESOURCE, sub: "alice", scope: "mcp:tools", exp: at(600) });
});

afterAll(async () => {
  await mcp.server.close();
  await stopAll();
});

interface Hostile {
  name: string;
  /** Builds the request: headers and an optional query string. */
  make(): Promise<{ headers: Record<string, string>; query?: string; error?: string }>;
}

const claims = () => ({ iss: idp.url, aud: RESOURCE, sub: "mallory", scope: "mcp:tools", exp: at(600) });
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` }, error: "invalid_token" });

const battery: Hostile[] = [
  {
    name: "forged signature (another key, same kid)",
    async make() {
      const other = await signingKey("RS256", key.kid);
      return bearer(await mint(other, claims()));
    },
  },
  { name: "expired", make: async () => bearer(await mint(key, { ...claims(), exp: at(-120) })) },
  { name: "nbf in the future", make: async () => bearer(await mint(key, { ...claims(), nbf: at(600) })) },
  { name: "no exp", make: async () => bearer(await mint(key, { ...claims(), exp: undefined })) },
  {
    name: "wrong aud",
    make: async () => bearer(await mint(key, { ...claims(), aud: "https://other.example/mcp" })),
  },
  {
    name: "wrong iss",
    make: async () => bearer(await mint(key, { ...claims(), iss: "https://evil.example" })),
  },
  { name: "an ID token (typ)", make: async () => bearer(await mint(key, claims(), { typ: "id_token+jwt" })) },
  { name: "alg: none", make: async () => bearer(new UnsecuredJWT(claims()).encode()) },
  {
    name: "alg: none with a signature segment",
    async make() {
      const [, payload] = good.split(".");
      const header = Buffer.from(JSON.stringify({ alg: "none", kid: key.kid })).toString("base64url");
      return bearer(`${header}.${payload}.c2lnbmF0dXJl`);
    },
  },
  {
    name: "HS256 signed with the RSA public key as secret",
    async make() {
      const secret = new TextEncoder().encode(await exportSPKI(key.publicKey));
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "at+jwt" })
        .sign(secret);
      return bearer(token);
    },
  },
  {
    name: "oversized token (100 KB, validly signed)",
    make: async () => bearer(await mint(key, { ...claims(), pad: "x".repeat(100 * 1024) })),
  },
  {
    name: "a valid token in the query string",
    make: async () => ({ headers: {}, query: `?access_token=${good}`, error: "invalid_request" }),
  },
  {
    // A query parameter's name is percent-decoded like its value (URLSearchParams, every server
    // framework): `access%5Ftoken` is `access_token`, which MCP forbids in the query string.
    name: "a token in the query string under a percent-encoded name, a valid one in the header",
    make: async () => ({
      headers: { authorization: `Bearer ${good}` },
      query: `?access%5Ftoken=${good}`,
      error: "invalid_request",
    }),
  },
  { name: '"Bearer"', make: async () => ({ headers: { authorization: "Bearer" }, error: "invalid_token" }) },
  {
    name: '"Bearer "',
    make: async () => ({ headers: { authorization: "Bearer " }, error: "invalid_token" }),
  },
  {
    name: '"Bearer  two spaces"',
    make: async () => ({ headers: { authorization: "Bearer  two spaces" }, error: "invalid_token" }),
  },
  {
    name: '"Basic abc"',
    make: async () => ({ headers: { authorization: "Basic abc" }, error: "invalid_token" }),
  },
  {
    name: '"Bearer a b"',
    make: async () => ({ headers: { authorization: "Bearer a b" }, error: "invalid_token" }),
  },
  {
    name: "Bearer with non-token68 characters",
    make: async () => ({ headers: { authorization: 'Bearer ab"c;d,e' }, error: "invalid_token" }),
  },
  {
    name: "two tokens (repeated header)",
    make: async () => ({
      headers: { authorization: `Bearer ${good}, Bearer ${good}` },
      error: "invalid_token",
    }),
  },
  {
    name: "a very long header (64 KB)",
    make: async () => ({
      headers: { authorization: `Bearer ${"a".repeat(64 * 1024)}` },
      error: "invalid_token",
    }),
  },
  { name: "garbage opaque token", make: async () => bearer("not-a-jwt-and-no-introspection") },
  { name: "three garbage segments", make: async () => bearer("aaaa.bbbb.cccc") },
  { name: "JWE-shaped (five segments)", make: async () => bearer("a.b.c.d.e") },
  {
    name: "unknown kid",
    async make() {
      const other = await signingKey("RS256", "unknown-kid");
      return bearer(await mint(other, claims()));
    },
  },
];

describe("the hostile-token battery, through a real server", () => {
  it.each(battery)("$name → 401 with a challenge, nothing leaked, nothing logged", async (hostile) => {
    const consoleError = vi.spyOn(console, "error");
    try {
      const { headers, query = "", error } = await hostile.make();
      const response = await fetch(`${mcp.url}${query}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...headers,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
      });
      const body = await response.text();
      expect(response.status).toBe(401);
      const challenge = response.headers.get("www-authenticate") ?? "";
      expect(challenge).toMatch(/^Bearer /);
      expect(challenge).toContain(`resource_metadata="${METADATA}"`);
      expect(challenge).toContain(`error="${error}"`);
      expect(body).toBe(UNAUTHORIZED_BODY);
      const sent = headers.authorization ?? query;
      if (sent.length > 24) {
        expect(challenge).not.toContain(sent.slice(-24));
        expect(body).not.toContain(sent.slice(-24));
      }
      expect(consoleError).not.toHaveBeenCalled();
      expect(mcp.errors).toEqual([]);
      expect(authErrors).toEqual([]);
    } finally {
      consoleError.mockRestore();
    }
  });

  it("no credentials → 401 with resource_metadata and scope, without error", async () => {
    const response = await fetch(mcp.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      `Bearer resource_metadata="${METADATA}", scope="mcp:tools"`,
    );
    expect(await response.text()).toBe(UNAUTHORIZED_BODY);
  });

  it("still serves a valid token afterwards, in the modern era, with ctx.auth", async () => {
    const answer = await modernWhoami(mcp.url, { authorization: `Bearer ${good}` });
    expect(answer).toEqual({
      status: 200,
      identity: { subject: "alice", scopes: ["mcp:tools"], issuer: idp.url },
    });
  });

  it("and in the legacy era (initialize, then tools/call in the session)", async () => {
    const answer = await legacyWhoami(mcp.url, { authorization: `bearer ${good}` });
    expect(answer).toEqual({
      status: 200,
      identity: { subject: "alice", scopes: ["mcp:tools"], issuer: idp.url },
    });
  });

  it("fetched the key set once for the whole battery (no fetch per hostile token)", () => {
    // One fetch at the first token; the unknown kid may trigger at most one refetch.
    expect(idp.hits("/jwks")).toBeGreaterThanOrEqual(1);
    expect(idp.hits("/jwks")).toBeLessThanOrEqual(2);
    expect(mcp.errors).toEqual([]);
    expect(authErrors).toEqual([]);
  });
});
