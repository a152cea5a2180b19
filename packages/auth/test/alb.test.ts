/**
 * albOidc against a real key endpoint serving PEMs: tokens signed the way ALB signs them (ES256,
 * `kid` + `signer` in the header, base64url segments *with* `=` padding).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AlbOidcOptions, type AuthErrorSource, albOidc } from "../src/index.ts";
import {
  albSegment,
  albSigned,
  at,
  type Idp,
  jsonBytes,
  type SigningKey,
  signingKey,
  startIdp,
  stopAll,
} from "./_idp.ts";
import { modernWhoami, startMcp } from "./_mcp.ts";

const SIGNER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/mcp/50dc6c495c0c9188";
const IDP_ISSUER = "https://idp.example.test";

let idp: Idp;
let key: SigningKey;
let reported: AuthErrorSource[];

beforeAll(async () => {
  idp = await startIdp();
  key = await signingKey("ES256", "5e3f2c1a-0b9d-4c6e-8f7a-1d2e3f4a5b6c");
  idp.pems.set(key.kid, key.pem);
});
beforeEach(() => {
  reported = [];
});
afterAll(stopAll);

const albToken = (
  signWith: SigningKey,
  header: Record<string, unknown> = {},
  payload: Record<string, unknown> = {},
) =>
  albSigned(
    signWith,
    {
      typ: "JWT",
      kid: key.kid,
      alg: "ES256",
      iss: IDP_ISSUER,
      client: "alb-client",
      signer: SIGNER,
      exp: at(120),
      ...header,
    },
    { sub: "user-42", email: "ada@example.test", name: "Ada", exp: at(120), iss: IDP_ISSUER, ...payload },
  );

function alb(extra: Partial<AlbOidcOptions> = {}) {
  return albOidc({
    region: "eu-west-1",
    keyUrl: `${idp.url}/alb/`,
    expectedSigner: SIGNER,
    onError: (_e, where) => reported.push(where),
    ...extra,
  });
}

async function call(auth: ReturnType<typeof alb>, token?: string) {
  const headers: Record<string, string> = token === undefined ? {} : { "x-amzn-oidc-data": token };
  const answer = await auth.authenticate(
    new Request("https://mcp.example.test/mcp", { method: "POST", headers }),
    {},
  );
  return answer instanceof Response
    ? { status: answer.status, retryAfter: answer.headers.get("retry-after") }
    : answer;
}

describe("albOidc", () => {
  it("verifies an ALB-signed token with padded segments; the key is fetched once per kid", async () => {
    const auth = alb();
    const token = await albToken(key);
    expect(token).toMatch(/=\./); // padding really is there
    const before = idp.hits(`/alb/${key.kid}`);
    for (let i = 0; i < 3; i++) {
      expect(await call(auth, token)).toEqual({
        subject: "user-42",
        issuer: IDP_ISSUER,
        clientId: "alb-client",
        expiresAt: expect.any(Number),
        extra: { signer: SIGNER, email: "ada@example.test", name: "Ada" },
        claims: expect.objectContaining({ sub: "user-42", email: "ada@example.test" }),
      });
    }
    expect(idp.hits(`/alb/${key.kid}`) - before).toBe(1);
  });

  it("reaches the tool as ctx.auth through a real server", async () => {
    const mcp = await startMcp(alb());
    try {
      const answer = await modernWhoami(mcp.url, { "x-amzn-oidc-data": await albToken(key) });
      expect(answer).toMatchObject({
        status: 200,
        identity: { subject: "user-42", email: "ada@example.test" },
      });
      expect(mcp.errors).toEqual([]);
    } finally {
      await mcp.server.close();
    }
  });

  it("a token from another load balancer (signer) → 401, without fetching a key", async () => {
    const before = idp.hits(`/alb/${key.kid}`);
    const token = await albToken(key, { signer: SIGNER.replace("mcp", "other") });
    expect(await call(alb(), token)).toEqual({ status: 401, retryAfter: null });
    expect(idp.hits(`/alb/${key.kid}`)).toBe(before);
  });

  it("an unsigned forged header (alg: none) → 401", async () => {
    const header = albSegment(jsonBytes({ alg: "none", kid: key.kid, signer: SIGNER }));
    const payload = albSegment(jsonBytes({ sub: "admin", exp: at(120) }));
    expect(await call(alb(), `${header}.${payload}.`)).toMatchObject({ status: 401 });
    expect(await call(alb(), `${header}.${payload}`)).toMatchObject({ status: 401 });
  });

  it.each([
    ["signed by another key", async () => albToken(await signingKey("ES256"))],
    ["expired", () => albToken(key, { exp: at(-120) }, { exp: at(-120) })],
    [
      "a payload changed after signing",
      async () => {
        const [h, , s] = (await albToken(key)).split(".");
        return `${h}.${albSegment(jsonBytes({ sub: "admin", exp: at(120) }))}.${s}`;
      },
    ],
    ["wrong padding", async () => `${(await albToken(key)).replace(/=*\./, "===.")}`],
    ["a kid that is a path", () => albToken(key, { kid: "../../etc/passwd" })],
    ["an ES384 header", () => albToken(key, { alg: "ES384" })],
    ["garbage", async () => "not.a.token"],
  ])("%s → 401", async (_name, make) => {
    expect(await call(alb(), await make())).toMatchObject({ status: 401 });
    expect(reported).toEqual([]);
  });

  it("checks iss when `issuer` is given", async () => {
    expect(await call(alb({ issuer: "https://other-idp.example" }), await albToken(key))).toMatchObject({
      status: 401,
    });
    expect(await call(alb({ issuer: IDP_ISSUER }), await albToken(key))).toHaveProperty("subject", "user-42");
  });

  it("checks the header's iss, where ALB puts it (the payload is the IdP's user-info answer, without iss)", async () => {
    // AWS, "User claims encoding and signature verification": the JWT header carries alg, kid, signer,
    // iss, client, exp; the payload holds the claims of the IdP's user info endpoint.
    const real = await albToken(key, {}, { iss: undefined });
    expect(await call(alb({ issuer: IDP_ISSUER }), real)).toMatchObject({
      subject: "user-42",
      issuer: IDP_ISSUER,
    });
    const other = await albToken(key, { iss: "https://other-idp.example" }, { iss: undefined });
    expect(await call(alb({ issuer: IDP_ISSUER }), other)).toMatchObject({ status: 401 });
  });

  it("a token without sub → 401: every token of one ALB names the same client, so it could not be told from another", async () => {
    expect(await call(alb(), await albToken(key, {}, { sub: undefined }))).toMatchObject({ status: 401 });
    expect(await call(alb(), await albToken(key, {}, { sub: "" }))).toMatchObject({ status: 401 });
  });

  it("no header → 401", async () => {
    expect(await call(alb())).toEqual({ status: 401, retryAfter: null });
  });

  it("a kid the endpoint does not have (404) → 401, not reported", async () => {
    const other = await signingKey("ES256", "0000-unknown");
    expect(await call(alb(), await albToken(other, { kid: other.kid }))).toMatchObject({ status: 401 });
    expect(reported).toEqual([]);
  });

  it("the key endpoint down → 503 + Retry-After, reported once", async () => {
    const fresh = await signingKey("ES256", "1111-fresh");
    idp.pems.set(fresh.kid, fresh.pem);
    idp.down = true;
    try {
      const auth = alb();
      const token = await albToken(fresh, { kid: fresh.kid });
      expect(await call(auth, token)).toMatchObject({ status: 503, retryAfter: "5" });
      expect(await call(auth, token)).toMatchObject({ status: 503 });
      expect(reported).toEqual(["keys"]);
    } finally {
      idp.down = false;
    }
  });

  it("the default key URL is ALB's regional endpoint (China regions included)", async () => {
    const urls: string[] = [];
    const fetch = async (url: string) => {
      urls.push(url);
      return new Response("", { status: 404 });
    };
    await call(albOidc({ region: "eu-west-1", fetch }), await albToken(key));
    await call(albOidc({ region: "cn-north-1", fetch }), await albToken(key));
    expect(urls).toEqual([
      `https://public-keys.auth.elb.eu-west-1.amazonaws.com/${key.kid}`,
      `https://public-keys.auth.elb.cn-north-1.amazonaws.com.cn/${key.kid}`,
    ]);
    expect(() => albOidc({})).toThrow(TypeError);
  });
});
