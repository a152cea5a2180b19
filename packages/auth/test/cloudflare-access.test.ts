/** cloudflareAccess against a real `/cdn-cgi/access/certs` key set. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthErrorSource, cloudflareAccess } from "../src/index.ts";
import { at, type Idp, mint, type SigningKey, signingKey, startIdp, stopAll } from "./_idp.ts";
import { modernWhoami, startMcp } from "./_mcp.ts";

const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";

let idp: Idp;
let key: SigningKey;
const reported: AuthErrorSource[] = [];

beforeAll(async () => {
  idp = await startIdp();
  key = await signingKey("RS256");
  idp.keys.push(key.jwk);
});
afterAll(stopAll);

function access() {
  return cloudflareAccess({
    teamDomain: idp.url,
    audience: AUD,
    onError: (_e, where) => reported.push(where),
  });
}

const claims = (extra: Record<string, unknown> = {}) => ({
  iss: idp.url,
  aud: [AUD],
  sub: "7335d417-61da-459d-899c-0a01c76a2f94",
  email: "grace@example.test",
  type: "app",
  exp: at(300),
  ...extra,
});

async function call(auth: ReturnType<typeof access>, token?: string) {
  const headers: Record<string, string> = token === undefined ? {} : { "cf-access-jwt-assertion": token };
  const answer = await auth.authenticate(
    new Request("https://mcp.example.test/mcp", { method: "POST", headers }),
    {},
  );
  return answer instanceof Response ? { status: answer.status } : answer;
}

describe("cloudflareAccess", () => {
  it("verifies a valid assertion; the certs are fetched once", async () => {
    const auth = access();
    const token = await mint(key, claims(), { typ: "JWT" });
    for (let i = 0; i < 3; i++) {
      expect(await call(auth, token)).toEqual({
        subject: "7335d417-61da-459d-899c-0a01c76a2f94",
        issuer: idp.url,
        expiresAt: expect.any(Number),
        extra: { email: "grace@example.test", type: "app" },
        claims: expect.objectContaining({ email: "grace@example.test" }),
      });
    }
    expect(idp.hits("/cdn-cgi/access/certs")).toBe(1);
  });

  it("a service token: subject and clientId from common_name", async () => {
    const token = await mint(key, claims({ sub: "", email: undefined, common_name: "abc.access" }));
    expect(await call(access(), token)).toMatchObject({ subject: "abc.access", clientId: "abc.access" });
  });

  it("a token that names no one (empty sub, no common_name) → 401: it could not be told from another such token", async () => {
    const token = await mint(key, claims({ sub: "" }));
    expect(await call(access(), token)).toEqual({ status: 401 });
    expect(await call(access(), await mint(key, claims({ sub: undefined })))).toEqual({ status: 401 });
  });

  it("reaches the tool as ctx.auth through a real server", async () => {
    const mcp = await startMcp(access());
    try {
      const answer = await modernWhoami(mcp.url, { "cf-access-jwt-assertion": await mint(key, claims()) });
      expect(answer).toMatchObject({
        status: 200,
        identity: { email: "grace@example.test", issuer: idp.url },
      });
    } finally {
      await mcp.server.close();
    }
  });

  it.each([
    ["forged (another key, same kid)", async () => mint(await signingKey("RS256", key.kid), claims())],
    ["wrong aud", () => mint(key, claims({ aud: ["another-application"] }))],
    ["wrong iss", () => mint(key, claims({ iss: "https://evil.cloudflareaccess.com" }))],
    ["expired", () => mint(key, claims({ exp: at(-120) }))],
    ["ES256 instead of RS256", async () => mint(await signingKey("ES256", key.kid), claims())],
    ["garbage", async () => "x.y.z"],
  ])("%s → 401", async (_name, make) => {
    expect(await call(access(), await make())).toEqual({ status: 401 });
    expect(reported).toEqual([]);
  });

  it("no header → 401", async () => {
    expect(await call(access())).toEqual({ status: 401 });
  });

  it("checks its options", () => {
    expect(() => cloudflareAccess({ teamDomain: "", audience: AUD })).toThrow(TypeError);
    expect(() => cloudflareAccess({ teamDomain: "team.cloudflareaccess.com", audience: [] })).toThrow(
      TypeError,
    );
  });
});
