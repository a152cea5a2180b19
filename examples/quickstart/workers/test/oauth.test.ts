/**
 * The authenticated variant under `wrangler dev` (workerd) on 127.0.0.1: the Worker as
 * wrangler.jsonc declares it, with `OAUTH_ISSUER`, `MCP_RESOURCE` (its own URL, on a port chosen
 * beforehand) and `OAUTH_JWKS_URL` given as vars. The issuer's key set is served on 127.0.0.1 (see
 * _issuer.ts), so the Worker fetches it as it would a real issuer's.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type DevWorker, devWorker } from "@portico/adapter-workers/dev";
import { ISSUER, type Issuer, startIssuer } from "@portico/example-quickstart/test-issuer";
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthConfigFrom } from "../src/auth.ts";

const config = fileURLToPath(new URL("../wrangler.jsonc", import.meta.url));

/** A port free on 127.0.0.1 now (the resource must name the Worker's URL before it starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

let issuer: Issuer;
let worker: DevWorker;
let endpoint: string;

beforeAll(async () => {
  issuer = await startIssuer();
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}/mcp`;
  worker = await devWorker(config, {
    port,
    vars: {
      MCP_STATE_SECRET: "oauth-only-secret-0123456789abcdef0123",
      OAUTH_ISSUER: ISSUER,
      MCP_RESOURCE: endpoint,
      OAUTH_JWKS_URL: issuer.jwksUrl,
    },
    conditions: ["@portico/source", "workerd", "worker", "browser"],
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await issuer?.close();
});

function call(method: string, params: Record<string, unknown>, token?: string): Promise<Response> {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return fetch(modernPost(endpoint, method, params, { headers }));
}

describe("wrangler dev with OAUTH_ISSUER set", () => {
  it("answers 401 with the metadata a client follows, and serves that metadata", async () => {
    const refused = await call("tools/list", {});
    expect(refused.status).toBe(401);
    await refused.body?.cancel();
    const url = /resource_metadata="([^"]+)"/.exec(refused.headers.get("www-authenticate") ?? "")?.[1];
    expect(url).toBe(new URL("/.well-known/oauth-protected-resource/mcp", worker.url).href);
    const metadata = await fetch(url as string);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({
      resource: endpoint,
      authorization_servers: [ISSUER],
      scopes_supported: ["quickstart:whoami"],
    });
  });

  it("hides and refuses whoami without its scope; add still works", async () => {
    const plain = await issuer.sign(endpoint, "");
    const [listed] = await readJsonRpc(await call("tools/list", {}, plain));
    const names = listed?.result.tools.map((t: { name: string }) => t.name);
    expect(names).toContain("add");
    expect(names).not.toContain("whoami");

    const stepUp = await call("tools/call", { name: "whoami", arguments: {} }, plain);
    expect(stepUp.status).toBe(403);
    await stepUp.body?.cancel();
    const challenge = stepUp.headers.get("www-authenticate") ?? "";
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="quickstart:whoami"');

    const [added] = await readJsonRpc(
      await call("tools/call", { name: "add", arguments: { a: 1, b: 2 } }, plain),
    );
    expect(added?.result.structuredContent).toEqual({ sum: 3 });
  });

  it("answers whoami with the token's subject when it carries the scope", async () => {
    const scoped = await issuer.sign(endpoint, "quickstart:whoami");
    const [answer] = await readJsonRpc(await call("tools/call", { name: "whoami", arguments: {} }, scoped));
    expect(JSON.parse(answer?.result.content[0].text)).toEqual({
      subject: "user-1",
      scopes: ["quickstart:whoami"],
    });
    expect(issuer.requests).toBeGreaterThanOrEqual(1);
  });
});

describe("oauthConfigFrom (the Worker's vars)", () => {
  it("is off while OAUTH_ISSUER is empty, needs MCP_RESOURCE once it is set", () => {
    expect(oauthConfigFrom({ OAUTH_ISSUER: "", MCP_RESOURCE: "", OAUTH_JWKS_URL: "" })).toBeUndefined();
    expect(() => oauthConfigFrom({ OAUTH_ISSUER: ISSUER, MCP_RESOURCE: "" })).toThrowError(/MCP_RESOURCE/);
    expect(
      oauthConfigFrom({
        OAUTH_ISSUER: ISSUER,
        MCP_RESOURCE: "https://mcp.example.com/mcp",
        OAUTH_JWKS_URL: "",
      }),
    ).toEqual({ issuer: ISSUER, resource: "https://mcp.example.com/mcp" });
  });
});
