/**
 * End to end with a real authorization server: oidc-provider (dynamic registration, authorization
 * code + PKCE, resource indicators with JWT access tokens), the MCP SDK v2 client
 * (`@modelcontextprotocol/client`) with an `OAuthClientProvider`, and the notes server behind
 * `oauthResourceServer` of @portico/auth — on Node, behind the Lambda handler and in workerd under
 * `wrangler dev`, in both protocol eras. One flow, the same steps and checks on every host.
 */
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type VersionNegotiationOptions,
} from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type AuthorizationServer, startAuthorizationServer } from "../src/authorization-server.ts";
import { challengeParams, metadataUrlOf, scopeSet } from "../src/challenge.ts";
import { TestOAuthClientProvider } from "../src/client-provider.ts";
import type { Host, RunningHost } from "../src/hosts/host.ts";
import { lambdaHost } from "../src/hosts/lambda.ts";
import { nodeHost } from "../src/hosts/node.ts";
import { workersHost } from "../src/hosts/workers.ts";
import { findExchange, type TracedExchange, tracingFetch } from "../src/http-trace.ts";
import { decodeJwt } from "../src/jwt.ts";
import { obtainAccessToken } from "../src/manual-client.ts";
import { TEST_ACCOUNT } from "../src/test-account.ts";
import { TestUserAgent } from "../src/user-agent.ts";

/** Generous: `wrangler dev` bundles the Worker and starts workerd. */
const STARTUP_MS = 120_000;
const FLOW_MS = 60_000;

const HOSTS: Host[] = [nodeHost, lambdaHost, workersHost];

interface Era {
  /** The protocol version the client must end up with. */
  version: string;
  era: "modern" | "legacy";
  versionNegotiation: VersionNegotiationOptions;
}

const ERAS: Era[] = [
  // server/discover, the per-request _meta envelope, no session.
  { version: "2026-07-28", era: "modern", versionNegotiation: { mode: { pin: "2026-07-28" } } },
  // initialize and an Mcp-Session-Id (the SDK v2 default).
  { version: "2025-11-25", era: "legacy", versionNegotiation: { mode: "legacy" } },
];

/** A resource the authorization server also issues tokens for, served by none of the hosts. */
const OTHER_RESOURCE = "https://other-mcp.example/mcp";

let authorizationServer: AuthorizationServer;
/** A valid access token of the test account with both scopes, issued for {@link OTHER_RESOURCE}. */
let otherResourceToken: string;

beforeAll(async () => {
  authorizationServer = await startAuthorizationServer();
  authorizationServer.addResource(OTHER_RESOURCE);
  otherResourceToken = await obtainAccessToken(authorizationServer.issuer, new TestUserAgent(), {
    resource: OTHER_RESOURCE,
    scope: "notes:read notes:write",
  });
}, STARTUP_MS);

afterAll(async () => {
  await authorizationServer?.close();
});

/** The OAuth flow of one MCP client (one end-user browser) against one host, in one era. */
function describeOAuthFlow(host: Host, era: Era, running: () => RunningHost): void {
  describe(`MCP ${era.version} (${era.era})`, () => {
    const trace: TracedExchange[] = [];
    const provider = new TestOAuthClientProvider(new TestUserAgent());
    let client: Client | undefined;
    let transport: StreamableHTTPClientTransport | undefined;

    const connection = () => ({
      transport: new StreamableHTTPClientTransport(new URL(running().url), {
        authProvider: provider,
        fetch: tracingFetch(trace),
      }),
      client: new Client(
        { name: "portico-auth-e2e", version: "1.0.0" },
        { versionNegotiation: era.versionNegotiation },
      ),
    });

    afterAll(async () => {
      await client?.close();
    });

    test(
      "401 → protected resource metadata → AS metadata → registration → code + PKCE for notes:read → read_notes",
      async () => {
        const mcpUrl = running().url;
        const { issuer } = authorizationServer;

        // 1. Anonymous: the server challenges; the SDK discovers, registers and sends the user agent
        //    through login and consent, then connect() stops with UnauthorizedError (the "redirect").
        const first = connection();
        await expect(first.client.connect(first.transport)).rejects.toSatisfy(
          (error) => error instanceof UnauthorizedError,
        );

        expect(trace[0]).toMatchObject({ method: "POST", url: mcpUrl, status: 401, authorized: false });
        expect(trace[0]?.wwwAuthenticate).toMatch(/^Bearer /);
        expect(challengeParams(trace[0]?.wwwAuthenticate ?? null)).toMatchObject({
          resource_metadata: metadataUrlOf(mcpUrl),
          scope: "notes:read",
        });
        const metadata = findExchange(trace, 1, (e) => e.url === metadataUrlOf(mcpUrl) && e.status === 200);
        expect(metadata).toBeGreaterThan(0);
        const asMetadata = findExchange(
          trace,
          metadata,
          (e) => e.url.startsWith(`${issuer}/.well-known/`) && e.status === 200,
        );
        expect(asMetadata).toBeGreaterThan(metadata);
        const registration = findExchange(
          trace,
          asMetadata,
          (e) => e.method === "POST" && e.url === `${issuer}/reg` && e.status === 201,
        );
        expect(registration).toBeGreaterThan(asMetadata);
        const clientId = provider.clientInformation()?.client_id;
        expect(clientId).toEqual(expect.any(String));

        // The authorization request: code + PKCE S256, the resource indicator, the challenged scope.
        expect(provider.authorizations).toHaveLength(1);
        const request = provider.authorizations[0]!;
        expect(request.url.origin + request.url.pathname).toBe(`${issuer}/auth`);
        expect(Object.fromEntries(request.url.searchParams)).toMatchObject({
          response_type: "code",
          client_id: clientId,
          code_challenge_method: "S256",
          code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          resource: mcpUrl,
          scope: "notes:read",
        });
        expect(request.prompts).toEqual(["login", "consent"]);
        expect(authorizationServer.interactions.filter((e) => e.clientId === clientId)).toMatchObject([
          { kind: "login", accountId: TEST_ACCOUNT.id },
          { kind: "consent", accountId: TEST_ACCOUNT.id, resourceScopes: { [mcpUrl]: ["notes:read"] } },
        ]);

        // 2. The redirect's code (with `iss`, RFC 9207) is exchanged for a JWT access token.
        const beforeToken = trace.length;
        await first.transport.finishAuth(provider.takeCallback());
        await first.client.close();
        expect(trace[beforeToken]).toMatchObject({ method: "POST", url: `${issuer}/token`, status: 200 });
        const tokens = provider.tokens();
        expect(tokens?.token_type).toMatch(/^bearer$/i);
        const { header, payload } = decodeJwt(tokens!.access_token);
        expect(header).toMatchObject({ typ: "at+jwt", alg: "RS256" });
        expect(payload).toMatchObject({
          iss: issuer,
          aud: mcpUrl,
          sub: TEST_ACCOUNT.id,
          client_id: clientId,
        });
        expect(scopeSet(payload.scope)).toEqual(["notes:read"]);

        // 3. Retry: connect with the token and call the scoped tool.
        ({ client, transport } = connection());
        await client.connect(transport);
        expect(client.getProtocolEra()).toBe(era.era);
        expect(client.getNegotiatedProtocolVersion()).toBe(era.version);
        const result = await client.callTool({ name: "read_notes", arguments: {} });
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent).toEqual({
          subject: TEST_ACCOUNT.id,
          clientId,
          issuer,
          scopes: ["notes:read"],
          audience: mcpUrl,
          // Notes belong to the subject: an earlier era's run on this host may have written one.
          notes: expect.any(Array),
        });
      },
      FLOW_MS,
    );

    test(
      "write_note: 403 insufficient_scope → step-up to notes:write (consent only) → succeeds; read_notes still works",
      async () => {
        if (client === undefined || transport === undefined)
          throw new Error("the first test did not connect");
        const mcpUrl = running().url;
        const { issuer } = authorizationServer;
        const clientId = provider.clientInformation()?.client_id;
        const text = `written on ${host.name} in ${era.version}`;

        // 1. The call is refused with the step-up challenge; the SDK re-authorizes with its scopes.
        const mark = trace.length;
        await expect(client.callTool({ name: "write_note", arguments: { text } })).rejects.toSatisfy(
          (error) => error instanceof UnauthorizedError,
        );
        const refused = findExchange(trace, mark, (e) => e.url === mcpUrl && e.status === 403);
        expect(refused).toBeGreaterThanOrEqual(mark);
        expect(trace[refused]?.authorized).toBe(true);
        const challenge = challengeParams(trace[refused]?.wwwAuthenticate ?? null);
        expect(challenge).toMatchObject({
          error: "insufficient_scope",
          resource_metadata: metadataUrlOf(mcpUrl),
        });
        expect(scopeSet(challenge.scope)).toEqual(["notes:read", "notes:write"]);

        // Same browser session: no second login, only consent for the added scope.
        expect(provider.authorizations).toHaveLength(2);
        const stepUp = provider.authorizations[1]!;
        expect(scopeSet(stepUp.url.searchParams.get("scope"))).toEqual(["notes:read", "notes:write"]);
        expect(stepUp.url.searchParams.get("resource")).toBe(mcpUrl);
        expect(stepUp.url.searchParams.get("code_challenge_method")).toBe("S256");
        expect(stepUp.prompts).toEqual(["consent"]);
        expect(authorizationServer.interactions.filter((e) => e.clientId === clientId).at(-1)).toMatchObject({
          kind: "consent",
          resourceScopes: { [mcpUrl]: ["notes:write"] },
        });

        // 2. The new code is exchanged; the token now carries both scopes.
        await transport.finishAuth(provider.takeCallback());
        const { payload } = decodeJwt(provider.tokens()!.access_token);
        expect(payload).toMatchObject({
          iss: issuer,
          aud: mcpUrl,
          sub: TEST_ACCOUNT.id,
          client_id: clientId,
        });
        expect(scopeSet(payload.scope)).toEqual(["notes:read", "notes:write"]);
        expect(scopeSet(provider.tokens()!.scope)).toEqual(["notes:read", "notes:write"]);

        // 3. The same call succeeds now, on the same connection, and reading still works.
        const written = await client.callTool({ name: "write_note", arguments: { text } });
        expect(written.isError).toBeFalsy();
        expect(written.structuredContent).toMatchObject({
          subject: TEST_ACCOUNT.id,
          clientId,
          scopes: ["notes:read", "notes:write"],
          written: text,
        });
        const read = await client.callTool({ name: "read_notes", arguments: {} });
        expect(read.isError).toBeFalsy();
        expect(read.structuredContent).toMatchObject({
          subject: TEST_ACCOUNT.id,
          clientId,
          scopes: ["notes:read", "notes:write"],
        });
        expect((read.structuredContent as { notes: string[] }).notes).toContain(text);
      },
      FLOW_MS,
    );
  });
}

describe.each(HOSTS)("$name host ($keys)", (host) => {
  let running: RunningHost | undefined;
  /** Where the authorization server's request log was when this host started. */
  let requestsBefore = 0;

  const current = (): RunningHost => {
    if (running === undefined) throw new Error(`the ${host.name} host did not start`);
    return running;
  };

  beforeAll(async () => {
    requestsBefore = authorizationServer.requests.length;
    running = await host.start(authorizationServer);
    authorizationServer.addResource(running.url);
  }, STARTUP_MS);

  afterAll(async () => {
    await running?.stop();
  }, STARTUP_MS);

  for (const era of ERAS) describeOAuthFlow(host, era, current);

  test("refuses a valid token issued for another resource (audience) with 401 invalid_token", async () => {
    const response = await fetch(current().url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${otherResourceToken}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-11-25",
          capabilities: {},
          clientInfo: { name: "portico-auth-e2e", version: "1.0.0" },
        },
      }),
    });
    await response.body?.cancel();
    expect(response.status).toBe(401);
    expect(challengeParams(response.headers.get("www-authenticate"))).toMatchObject({
      error: "invalid_token",
      resource_metadata: metadataUrlOf(current().url),
    });
  });

  test("fetched the authorization server's key set itself, over 127.0.0.1", () => {
    const fetched = authorizationServer.requests.slice(requestsBefore).filter((r) => r.path === "/jwks");
    expect(fetched.length).toBeGreaterThanOrEqual(1);
    // workerd's fetch sends no User-Agent, Node's sends "node": on Workers, the Worker fetched them.
    if (host.name === "workers") expect(fetched.every((r) => r.userAgent !== "node")).toBe(true);
  });
});
