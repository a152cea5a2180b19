/** requiredScopes (403 insufficient_scope) and the step-up challenge of insufficientScope(). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthResourceServer } from "../src/index.ts";
import { at, mint, type SigningKey, signingKey, stopAll } from "./_idp.ts";

const RESOURCE = "https://mcp.example.test/mcp";
const ISSUER = "https://issuer.example.test";
const METADATA = "https://mcp.example.test/.well-known/oauth-protected-resource/mcp";

let key: SigningKey;
beforeAll(async () => {
  key = await signingKey("ES256");
});
afterAll(stopAll);

function server() {
  return oauthResourceServer({
    resource: RESOURCE,
    authorizationServers: [ISSUER],
    jwks: { keys: [key.jwk] },
    requiredScopes: ["mcp:use"],
  });
}

const request = (token?: string) =>
  new Request(RESOURCE, {
    method: "POST",
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

describe("scopes", () => {
  it("no token → 401 naming the required scopes; they are also scopes_supported", async () => {
    const auth = server();
    const answer = (await auth.authenticate(request(), {})) as Response;
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toBe(
      `Bearer resource_metadata="${METADATA}", scope="mcp:use"`,
    );
    const metadata = (await auth.serve!(new Request(METADATA), {}))!;
    expect(await metadata.json()).toHaveProperty("scopes_supported", ["mcp:use"]);
  });

  it("a valid token lacking a required scope → 403 insufficient_scope, keeping what it has", async () => {
    const token = await mint(key, {
      iss: ISSUER,
      aud: RESOURCE,
      sub: "u",
      scope: "files:read",
      exp: at(300),
    });
    const answer = (await server().authenticate(request(token), {})) as Response;
    expect(answer.status).toBe(403);
    expect(answer.headers.get("www-authenticate")).toBe(
      `Bearer resource_metadata="${METADATA}", scope="mcp:use files:read", error="insufficient_scope"`,
    );
    expect(await answer.json()).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "Forbidden: insufficient scope" },
    });
  });

  it("a token with the required scopes passes", async () => {
    const token = await mint(key, { iss: ISSUER, aud: RESOURCE, sub: "u", scope: "mcp:use", exp: at(300) });
    expect(await server().authenticate(request(token), {})).toHaveProperty("scopes", ["mcp:use"]);
  });

  it("insufficientScope(): 403 with the operation's scopes, the required ones and the caller's (no offline_access)", async () => {
    const answer = server().insufficientScope!(request(), ["files:write", "files:read"], {
      scopes: ["mcp:use", "files:read", "offline_access"],
    });
    expect(answer.status).toBe(403);
    expect(answer.headers.get("www-authenticate")).toBe(
      `Bearer resource_metadata="${METADATA}", scope="files:write files:read mcp:use", error="insufficient_scope"`,
    );
    expect(answer.headers.get("content-type")).toBe("application/json");
  });

  it("a held scope that is not a scope-token (RFC 6749 §3.3) is left out of the 403 challenge, not a crash", async () => {
    // scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): a header value cannot carry "读" (not a ByteString).
    const token = await mint(key, {
      iss: ISSUER,
      aud: RESOURCE,
      sub: "u",
      scp: ["files:read", "读"],
      exp: at(300),
    });
    const answer = (await server().authenticate(request(token), {})) as Response;
    expect(answer.status).toBe(403);
    expect(answer.headers.get("www-authenticate")).toContain('scope="mcp:use files:read"');
    const stepUp = server().insufficientScope!(request(), ["admin"], { scopes: ['a"b', "é", "ok"] });
    expect(stepUp.headers.get("www-authenticate")).toContain('scope="admin mcp:use ok"');
  });

  it("insufficientScope() without a caller names the operation's and the required scopes", () => {
    const answer = server().insufficientScope!(request(), ["admin"], undefined);
    expect(answer.headers.get("www-authenticate")).toContain('scope="admin mcp:use"');
  });
});
