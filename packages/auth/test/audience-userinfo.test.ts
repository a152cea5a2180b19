/**
 * oauthResourceServer's audience check compares URIs in canonical form (scheme and host case, the
 * default port, the root slash) and in no other way: an `aud` that only names the resource after
 * some other rewriting (userinfo dropped, dot segments resolved, tabs removed) is not the resource.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthResourceServer } from "../src/index.ts";
import { at, mint, type SigningKey, signingKey, stopAll } from "./_idp.ts";

const ISSUER = "https://issuer.example.test";

let key: SigningKey;

beforeAll(async () => {
  key = await signingKey("ES256");
});
afterAll(stopAll);

function server(resource: string) {
  return oauthResourceServer({
    resource,
    authorizationServers: [ISSUER],
    jwks: { keys: [key.jwk] },
    fetch: () => Promise.reject(new Error("no fetch expected")),
  });
}

async function answer(resource: string, aud: unknown) {
  const token = await mint(key, { iss: ISSUER, aud, sub: "u1", exp: at(300) });
  const result = await server(resource).authenticate(
    new Request(resource, { method: "POST", headers: { authorization: `Bearer ${token}` } }),
    {},
  );
  return result instanceof Response ? result.status : result?.subject;
}

describe("audience URIs with userinfo", () => {
  it.each([
    ["http://localhost/mcp", "http://attacker:pw@localhost/mcp"],
    ["http://localhost/mcp", "http://attacker@localhost/mcp"],
    ["http://localhost/mcp", "http://:pw@localhost/mcp"],
    ["https://mcp.example.test/mcp", "https://user:pass@mcp.example.test/mcp"],
    ["https://mcp.example.test/mcp", "HTTPS://user@MCP.EXAMPLE.TEST:443/mcp"],
  ])("resource %s: aud %s → 401", async (resource, aud) => {
    expect(await answer(resource, aud)).toBe(401);
    expect(await answer(resource, ["https://other.example", aud])).toBe(401);
  });

  it.each([
    ["http://localhost/mcp", "http://localhost/mcp"],
    ["http://localhost/mcp", "HTTP://LOCALHOST:80/mcp"],
    ["https://mcp.example.test/mcp", "https://mcp.example.test/mcp"],
    ["https://mcp.example.test/mcp", "HTTPS://MCP.EXAMPLE.TEST:443/mcp"],
    ["https://mcp.example.test", "https://mcp.example.test/"],
  ])("resource %s: aud %s → admitted", async (resource, aud) => {
    expect(await answer(resource, aud)).toBe("u1");
  });
});

describe("audience URIs the URL parser would rewrite beyond the documented canonical form", () => {
  it.each([
    "https://mcp.example.test/other/../mcp",
    "https://mcp.example.test/./mcp",
    "https://mcp.exa\tmple.test/mcp",
    "https://mcp.example.test\\mcp",
    "https://mcp.example.test/mcp ",
  ])("aud %j → 401", async (aud) => {
    expect(await answer("https://mcp.example.test/mcp", aud)).toBe(401);
  });
});
