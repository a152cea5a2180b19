/**
 * The authenticated variant through `api/mcp.ts` as deployed (`VERCEL_ENV=production`, the
 * production domain in `VERCEL_PROJECT_PRODUCTION_URL`, no `MCP_RESOURCE`), with `OAUTH_ISSUER` and
 * `OAUTH_JWKS_URL` set (the issuer's key set on 127.0.0.1, see _issuer.ts); how the resource is
 * chosen elsewhere; and that nothing changes without OAuth. e2e.test.ts runs the variant under
 * `vercel dev`, where vercel.json's rewrites bring the metadata path to the function.
 */

import { ISSUER, type Issuer, startIssuer } from "@portico/example-quickstart/test-issuer";
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { oauthConfigFrom } from "../src/app.ts";

const DOMAIN = "quickstart-mcp.vercel.app";
const RESOURCE = `https://${DOMAIN}/mcp`;
const METADATA = `https://${DOMAIN}/.well-known/oauth-protected-resource/mcp`;
const SECRET = "c".repeat(64);

type Handlers = typeof import("../api/mcp.ts");

/** Loads api/mcp.ts afresh with `env` as its environment (it reads process.env at import). */
async function loadFunction(env: Record<string, string | undefined>): Promise<Handlers> {
  vi.unstubAllEnvs();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return import("../api/mcp.ts");
}

let issuer: Issuer;
let fn: Handlers;
const sign = (scope: string) => issuer.sign(RESOURCE, scope);

beforeAll(async () => {
  issuer = await startIssuer();
  fn = await loadFunction({
    VERCEL: "1",
    VERCEL_ENV: "production",
    VERCEL_PROJECT_PRODUCTION_URL: DOMAIN,
    REQUEST_STATE_SECRET: SECRET,
    OAUTH_ISSUER: ISSUER,
    OAUTH_JWKS_URL: issuer.jwksUrl,
    MCP_RESOURCE: undefined,
    ALLOWED_HOSTS: undefined,
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await issuer?.close();
});

function call(method: string, params: Record<string, unknown>, token?: string): Promise<Response> {
  const headers: Record<string, string> = { host: DOMAIN };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fn.POST(modernPost(RESOURCE, method, params, { headers }));
}

describe("api/mcp.ts with OAUTH_ISSUER set, deployed", () => {
  it("answers 401 with the metadata a client follows, and serves that metadata", async () => {
    const refused = await call("tools/list", {});
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain(`resource_metadata="${METADATA}"`);

    const metadata = await fn.GET(new Request(METADATA, { headers: { host: DOMAIN } }));
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({
      resource: RESOURCE,
      authorization_servers: [ISSUER],
      scopes_supported: ["quickstart:whoami"],
    });
  });

  it("hides and refuses whoami without its scope; add still works", async () => {
    const plain = await sign("");
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
    const scoped = await sign("quickstart:whoami");
    const [answer] = await readJsonRpc(await call("tools/call", { name: "whoami", arguments: {} }, scoped));
    expect(JSON.parse(answer?.result.content[0].text)).toEqual({
      subject: "user-1",
      scopes: ["quickstart:whoami"],
    });
    expect(issuer.requests).toBe(1);
  });
});

describe("the OAuth settings", () => {
  it("take MCP_RESOURCE first, else the production domain or the preview's branch URL", () => {
    const on = { OAUTH_ISSUER: ISSUER };
    expect(oauthConfigFrom({})).toBeUndefined();
    expect(oauthConfigFrom({ OAUTH_ISSUER: "" })).toBeUndefined();
    expect(
      oauthConfigFrom({ ...on, VERCEL_ENV: "preview", VERCEL_BRANCH_URL: "qs-git-main-team.vercel.app" }),
    ).toEqual({ issuer: ISSUER, resource: "https://qs-git-main-team.vercel.app/mcp" });
    expect(
      oauthConfigFrom({
        ...on,
        VERCEL_ENV: "production",
        VERCEL_PROJECT_PRODUCTION_URL: DOMAIN,
        MCP_RESOURCE: "https://mcp.example.com/mcp",
        OAUTH_JWKS_URL: "https://auth.example.test/jwks.json",
      }),
    ).toEqual({
      issuer: ISSUER,
      resource: "https://mcp.example.com/mcp",
      jwksUrl: "https://auth.example.test/jwks.json",
    });
    expect(() => oauthConfigFrom({ ...on, VERCEL_ENV: "development" })).toThrowError(/MCP_RESOURCE/);
  });

  it("leave the function as it was without OAUTH_ISSUER: no challenge, no metadata", async () => {
    const plain = await loadFunction({
      VERCEL: "1",
      VERCEL_ENV: "production",
      REQUEST_STATE_SECRET: SECRET,
      OAUTH_ISSUER: undefined,
    });
    const listed = await plain.POST(modernPost(RESOURCE, "tools/list", {}, { headers: { host: DOMAIN } }));
    expect(listed.status).toBe(200);
    const [message] = await readJsonRpc(listed);
    expect(message?.result.tools.map((t: { name: string }) => t.name)).not.toContain("whoami");
    expect((await plain.GET(new Request(METADATA, { headers: { host: DOMAIN } }))).status).toBe(404);
  });
});
