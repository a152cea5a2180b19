/**
 * The authenticated variant over real HTTP (Node adapter on 127.0.0.1:0) with tokens signed by a
 * local key: 401 + metadata for no token, the scoped `whoami` hidden and refused (403 step-up)
 * without its scope, answered with it. The whole OAuth dance with a real authorization server and
 * the MCP SDK client is test/auth-e2e's.
 */
import { type Server, serve } from "@portico/adapter-node";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOAuthApp, oauthConfigFromEnv } from "../src/oauth-app.ts";

const ISSUER = "https://auth.example.test";
let server: Server;
let endpoint: string;
let sign: (scope: string) => Promise<string>;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  // The resource names the server's own URL, known once it listens: serve a late-bound app.
  let app: ReturnType<typeof createOAuthApp> | undefined;
  server = await serve(
    { fetch: (request) => (app as NonNullable<typeof app>).fetch(request) },
    {
      port: 0,
      hostname: "127.0.0.1",
    },
  );
  endpoint = `${server.url}/mcp`;
  app = createOAuthApp({ issuer: ISSUER, resource: endpoint, jwks: { keys: [jwk] } });
  sign = (scope) =>
    new SignJWT({ scope, client_id: "quickstart-test" })
      .setProtectedHeader({ alg: "ES256", kid: "k1", typ: "at+jwt" })
      .setIssuer(ISSUER)
      .setAudience(endpoint)
      .setSubject("user-1")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
});
afterAll(() => server?.close());

async function call(method: string, params: Record<string, unknown>, token?: string) {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": method,
  };
  if (typeof params.name === "string") headers["mcp-name"] = params.name;
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  return fetch(endpoint, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: meta } }),
  });
}

describe("the quickstart behind OAuth", () => {
  it("needs OAUTH_ISSUER, and says so", () => {
    expect(() => oauthConfigFromEnv({}, 3000)).toThrowError(/OAUTH_ISSUER/);
    expect(oauthConfigFromEnv({ OAUTH_ISSUER: ISSUER }, 3000)).toEqual({
      issuer: ISSUER,
      resource: "http://127.0.0.1:3000/mcp",
    });
  });

  it("answers 401 with the metadata a client follows, and serves that metadata", async () => {
    const refused = await call("tools/list", {});
    expect(refused.status).toBe(401);
    const challenge = refused.headers.get("www-authenticate") ?? "";
    const url = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(url).toBe(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    const metadata = await (await fetch(url as string)).json();
    expect(metadata).toMatchObject({ resource: endpoint, authorization_servers: [ISSUER] });
  });

  it("hides and refuses whoami without its scope, and answers it with the scope", async () => {
    const plain = await sign("");
    const listed = await (await call("tools/list", {}, plain)).json();
    expect(listed.result.tools.map((t: { name: string }) => t.name)).not.toContain("whoami");
    const stepUp = await call("tools/call", { name: "whoami", arguments: {} }, plain);
    expect(stepUp.status).toBe(403);
    expect(stepUp.headers.get("www-authenticate")).toContain('error="insufficient_scope"');

    const scoped = await sign("quickstart:whoami");
    const answer = await (await call("tools/call", { name: "whoami", arguments: {} }, scoped)).json();
    expect(JSON.parse(answer.result.content[0].text)).toEqual({
      subject: "user-1",
      scopes: ["quickstart:whoami"],
    });
    const added = await (await call("tools/call", { name: "add", arguments: { a: 1, b: 2 } }, scoped)).json();
    expect(added.result.structuredContent).toEqual({ sum: 3 });
  });
});
