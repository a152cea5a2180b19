/**
 * The authorization server harness itself (src/authorization-server.ts), with a hand-written client:
 * what it must refuse for the end-to-end flow to mean anything.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type AuthorizationServer, startAuthorizationServer } from "../src/authorization-server.ts";
import { decodeJwt } from "../src/jwt.ts";
import { authorize, obtainAccessToken, registerClient } from "../src/manual-client.ts";
import { TEST_ACCOUNT } from "../src/test-account.ts";
import { TestUserAgent } from "../src/user-agent.ts";

const RESOURCE = "https://notes.example/mcp";

describe("the authorization server (oidc-provider)", () => {
  let server: AuthorizationServer;

  beforeAll(async () => {
    server = await startAuthorizationServer();
    server.addResource(RESOURCE);
  }, 30_000);

  afterAll(async () => {
    await server?.close();
  });

  test("advertises registration, code + S256 and the notes scopes", async () => {
    const metadata = (await (
      await fetch(`${server.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: server.issuer,
      registration_endpoint: `${server.issuer}/reg`,
      response_types_supported: ["code"],
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
    });
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(["notes:read", "notes:write"]));
  });

  test("requires PKCE: an authorization request without code_challenge is refused", async () => {
    const clientId = await registerClient(server.issuer);
    const { callback } = await authorize(server.issuer, new TestUserAgent(), {
      clientId,
      resource: RESOURCE,
      scope: "notes:read",
      pkce: false,
    });
    expect(callback.get("error")).toBe("invalid_request");
    expect(callback.get("error_description")).toMatch(/PKCE/);
    expect(callback.has("code")).toBe(false);
  });

  test("refuses a resource it does not know (invalid_target)", async () => {
    const clientId = await registerClient(server.issuer);
    const { callback } = await authorize(server.issuer, new TestUserAgent(), {
      clientId,
      resource: "https://unknown.example/mcp",
      scope: "notes:read",
    });
    expect(callback.get("error")).toBe("invalid_target");
  });

  test("issues an RFC 9068 JWT for the resource: aud, sub, scope, client_id", async () => {
    const token = await obtainAccessToken(server.issuer, new TestUserAgent(), {
      resource: RESOURCE,
      scope: "notes:read",
    });
    const { header, payload } = decodeJwt(token);
    expect(header).toMatchObject({ typ: "at+jwt", alg: "RS256", kid: expect.any(String) });
    expect(payload).toMatchObject({
      iss: server.issuer,
      aud: RESOURCE,
      sub: TEST_ACCOUNT.id,
      scope: "notes:read",
      client_id: expect.any(String),
      exp: expect.any(Number),
    });
    expect(server.interactions.map((event) => event.kind)).toEqual(["login", "consent"]);
  });
});
