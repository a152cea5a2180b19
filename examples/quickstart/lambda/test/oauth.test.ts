/**
 * The authenticated variant through the real Lambda `handler` of src/handler.ts, loaded with
 * `OAUTH_ISSUER`, `MCP_RESOURCE` and `OAUTH_JWKS_URL` in its environment (next to what the
 * templates set, pointed at dynalite and the Secrets Manager stand-in), invoked with Function URL
 * events (payload 2.0) as Lambda delivers them. The issuer's key set is served on 127.0.0.1; tokens
 * are signed with its private key.
 */
import { createServer } from "node:http";
import { fromResult, toEvent } from "@portico/adapter-lambda";
import { installAwslambda } from "@portico/adapter-lambda/dev";
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  closeServer,
  functionEnv,
  listen,
  type Started,
  startDynalite,
  startSecretsManager,
} from "./_stand-ins.ts";

const ISSUER = "https://auth.example.test";
const HOST = "https://abcdefghijklmnop.lambda-url.us-east-1.on.aws";
const RESOURCE = `${HOST}/mcp`;
const METADATA = `${HOST}/.well-known/oauth-protected-resource/mcp`;
const context = { awsRequestId: "oauth-test", getRemainingTimeInMillis: () => 30_000 };

const started: Started[] = [];
let jwksRequests = 0;
let handler: typeof import("../src/handler.ts").handler;
let sign: (claims: { scope: string; aud?: string }) => Promise<string>;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  const jwks = createServer((_req, res) => {
    jwksRequests++;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  const jwksUrl = `${await listen(jwks)}/jwks.json`;
  started.push({ url: jwksUrl, close: () => closeServer(jwks) });
  sign = ({ scope, aud = RESOURCE }) =>
    new SignJWT({ scope, client_id: "quickstart-test" })
      .setProtectedHeader({ alg: "ES256", kid: "k1", typ: "at+jwt" })
      .setIssuer(ISSUER)
      .setAudience(aud)
      .setSubject("user-1")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);

  const dynamo = await startDynalite("portico-quickstart-oauth");
  started.push(dynamo);
  const secrets = await startSecretsManager();
  started.push(secrets);
  const env = {
    ...functionEnv("portico-quickstart-oauth", dynamo.url, secrets.url),
    OAUTH_ISSUER: ISSUER,
    MCP_RESOURCE: RESOURCE,
    OAUTH_JWKS_URL: jwksUrl,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  // handler.ts also exports streamHandler, which needs the Lambda runtime's `awslambda` global.
  installAwslambda();
  vi.resetModules();
  ({ handler } = await import("../src/handler.ts"));
}, 30_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  for (const s of started.splice(0).reverse()) await s.close();
});

/** `request` as the Function URL delivers it to the buffered `handler`, the result as a Response. */
async function invoke(request: Request): Promise<Response> {
  return fromResult(await handler(await toEvent(request, "v2"), context));
}

function call(method: string, params: Record<string, unknown>, token?: string): Promise<Response> {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return invoke(modernPost(RESOURCE, method, params, { headers }));
}

describe("the Lambda handler with OAUTH_ISSUER set", () => {
  it("answers 401 with the metadata a client follows, and serves that metadata", async () => {
    const refused = await call("tools/list", {});
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain(`resource_metadata="${METADATA}"`);

    const metadata = await invoke(new Request(METADATA));
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({
      resource: RESOURCE,
      authorization_servers: [ISSUER],
      scopes_supported: ["quickstart:whoami"],
    });
  });

  it("refuses a token issued for another resource", async () => {
    const foreign = await call("tools/list", {}, await sign({ scope: "", aud: "https://other.example/mcp" }));
    expect(foreign.status).toBe(401);
    expect(foreign.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("hides and refuses whoami without its scope; add still works", async () => {
    const plain = await sign({ scope: "" });
    const [listed] = await readJsonRpc(await call("tools/list", {}, plain));
    const names = listed?.result.tools.map((t: { name: string }) => t.name);
    expect(names).toContain("add");
    expect(names).not.toContain("whoami");

    const stepUp = await call("tools/call", { name: "whoami", arguments: {} }, plain);
    expect(stepUp.status).toBe(403);
    const challenge = stepUp.headers.get("www-authenticate") ?? "";
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="quickstart:whoami"');

    const [added] = await readJsonRpc(
      await call("tools/call", { name: "add", arguments: { a: 1, b: 2 } }, plain),
    );
    expect(added?.result.structuredContent).toEqual({ sum: 3 });
  });

  it("answers whoami with the token's subject when it carries the scope", async () => {
    const scoped = await sign({ scope: "quickstart:whoami" });
    const [listed] = await readJsonRpc(await call("tools/list", {}, scoped));
    expect(listed?.result.tools.map((t: { name: string }) => t.name)).toContain("whoami");
    const [answer] = await readJsonRpc(await call("tools/call", { name: "whoami", arguments: {} }, scoped));
    expect(JSON.parse(answer?.result.content[0].text)).toEqual({
      subject: "user-1",
      scopes: ["quickstart:whoami"],
    });
  });

  it("fetched the key set from OAUTH_JWKS_URL once (cached for the warm instance)", () => {
    expect(jwksRequests).toBe(1);
  });
});
