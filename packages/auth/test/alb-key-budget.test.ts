/**
 * albOidc's budget of key fetches for `kid`s it does not hold (10 a minute, shared by all callers):
 * forged tokens must not turn it into a lock-out of real users. A token refused by a check that
 * costs nothing never spends it, a `kid` the endpoint does not have is remembered, and a real user
 * meeting a spent budget gets 503 + Retry-After (retry later), not 401 (bad token).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type AuthErrorSource, albOidc } from "../src/index.ts";
import { albSigned, at, type Idp, type SigningKey, signingKey, startIdp, stopAll } from "./_idp.ts";

const SIGNER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/mcp/50dc6c495c0c9188";

let idp: Idp;
let real: SigningKey;
let attacker: SigningKey;
let reported: AuthErrorSource[];

beforeAll(async () => {
  idp = await startIdp();
  attacker = await signingKey("ES256", "attacker");
});
beforeEach(async () => {
  reported = [];
  // A new real kid per test: each test starts like a cold instance after a key rotation.
  real = await signingKey("ES256", crypto.randomUUID());
  idp.pems.set(real.kid, real.pem);
  // Only the clock is faked (frozen at the real time, moved by hand); timers stay real.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now());
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(stopAll);

/** A token shaped as ALB makes them; `signatureBytes` replaces the signature (a forger's guess). */
const albToken = (
  signWith: SigningKey,
  header: Record<string, unknown> = {},
  payload: Record<string, unknown> = {},
  signatureBytes?: Uint8Array,
) =>
  albSigned(
    signWith,
    { typ: "JWT", kid: real.kid, alg: "ES256", signer: SIGNER, exp: at(120), ...header },
    { sub: "user-42", ...payload },
    signatureBytes,
  );

/** A forged token naming a made-up kid, passing every check that does not need the key. */
const forged = (kid: string, header: Record<string, unknown> = {}) => albToken(attacker, { kid, ...header });

function alb() {
  return albOidc({
    keyUrl: `${idp.url}/alb/`,
    expectedSigner: SIGNER,
    onError: (_e, where) => reported.push(where),
  });
}

async function call(auth: ReturnType<typeof alb>, token: string) {
  const answer = await auth.authenticate(
    new Request("https://mcp.example.test/mcp", { method: "POST", headers: { "x-amzn-oidc-data": token } }),
    {},
  );
  return answer instanceof Response
    ? { status: answer.status, retryAfter: answer.headers.get("retry-after") }
    : { subject: answer?.subject };
}

const fetchesOf = (kids: readonly string[]) => kids.reduce((sum, kid) => sum + idp.hits(`/alb/${kid}`), 0);

describe("albOidc: the budget of unknown-kid key fetches", () => {
  it("after 10 forged kids, a real user of a fresh instance gets 503 + Retry-After, then is admitted once the budget refills", async () => {
    const auth = alb();
    const kids = Array.from({ length: 10 }, () => crypto.randomUUID());
    for (const kid of kids) {
      expect(await call(auth, await forged(kid))).toEqual({ status: 401, retryAfter: null });
    }
    expect(fetchesOf(kids)).toBe(10); // each spent one fetch (the endpoint: 404)

    // The real user's first request: their (real) kid is not cached yet and the budget is spent.
    expect(await call(auth, await albToken(real))).toEqual({ status: 503, retryAfter: "60" });
    vi.setSystemTime(Date.now() + 25_000);
    expect(await call(auth, await albToken(real))).toEqual({ status: 503, retryAfter: "35" });
    expect(idp.hits(`/alb/${real.kid}`)).toBe(0);
    expect(reported).toEqual(["keys"]); // once for the window, not once per request

    vi.setSystemTime(Date.now() + 35_000); // the window is over: the budget has refilled
    expect(await call(auth, await albToken(real))).toEqual({ subject: "user-42" });
    expect(idp.hits(`/alb/${real.kid}`)).toBe(1);
  });

  it("a spent budget does not affect kids already known: a held key verifies, a known-bad kid is 401", async () => {
    const auth = alb();
    expect(await call(auth, await albToken(real))).toEqual({ subject: "user-42" });
    const kids = Array.from({ length: 9 }, () => crypto.randomUUID());
    for (const kid of kids) await call(auth, await forged(kid));
    // The budget (10, the real kid's fetch included) is spent now.
    expect(await call(auth, await forged(crypto.randomUUID()))).toMatchObject({ status: 503 });
    expect(await call(auth, await albToken(real))).toEqual({ subject: "user-42" });
    expect(await call(auth, await forged(kids[0]!))).toEqual({ status: 401, retryAfter: null });
  });

  it("a repeated made-up kid spends one fetch only (the endpoint's 404 is remembered for 10 minutes)", async () => {
    const auth = alb();
    const kid = crypto.randomUUID();
    for (let i = 0; i < 12; i++) {
      expect(await call(auth, await forged(kid))).toEqual({ status: 401, retryAfter: null });
    }
    expect(idp.hits(`/alb/${kid}`)).toBe(1);
    // The budget is intact: the real user is admitted.
    expect(await call(auth, await albToken(real))).toEqual({ subject: "user-42" });

    vi.setSystemTime(Date.now() + 11 * 60_000);
    expect(await call(auth, await forged(kid))).toEqual({ status: 401, retryAfter: null });
    expect(idp.hits(`/alb/${kid}`)).toBe(2);
    expect(reported).toEqual([]);
  });

  it.each([
    [
      "the wrong signer (expectedSigner set)",
      (kid: string) => forged(kid, { signer: SIGNER.replace("mcp", "other") }),
    ],
    ["no signer", (kid: string) => forged(kid, { signer: undefined })],
    ["an ES384 header", (kid: string) => forged(kid, { alg: "ES384" })],
    ["an expired header exp", (kid: string) => forged(kid, { exp: at(-120) })],
    // ALB's `exp` is the header's; a payload `exp` (from the IdP's claims) does not extend it.
    [
      "an expired header exp, a payload exp to come",
      (kid: string) => albToken(attacker, { kid, exp: at(-120) }, { exp: at(600) }),
    ],
    ["no exp at all", (kid: string) => forged(kid, { exp: undefined })],
    [
      "a signature that is not 64 bytes",
      (kid: string) => albToken(attacker, { kid }, {}, new Uint8Array(63)),
    ],
  ])("a forged token with %s is refused without spending a fetch", async (_name, make) => {
    const auth = alb();
    const kids = Array.from({ length: 20 }, () => crypto.randomUUID());
    for (const kid of kids) {
      expect(await call(auth, await make(kid))).toEqual({ status: 401, retryAfter: null });
    }
    expect(fetchesOf(kids)).toBe(0);
    expect(await call(auth, await albToken(real))).toEqual({ subject: "user-42" });
    expect(reported).toEqual([]);
  });
});

describe("albOidc: a throttled key endpoint", () => {
  it("429 is the endpoint being busy (503, reported), not a kid it lacks: the kid is fetched again later", async () => {
    let status = 429;
    const urls: string[] = [];
    const auth = albOidc({
      keyUrl: "https://keys.example.test/",
      expectedSigner: SIGNER,
      onError: (_e, where) => reported.push(where),
      fetch: async (url) => {
        urls.push(url);
        return status === 200 ? new Response(real.pem, { status }) : new Response("", { status });
      },
    });
    expect(await call(auth, await albToken(real))).toEqual({ status: 503, retryAfter: "5" });
    expect(reported).toEqual(["keys"]);
    vi.setSystemTime(Date.now() + 6_000);
    status = 200;
    expect(await call(auth, await albToken(real))).toEqual({ subject: "user-42" });
    expect(urls).toHaveLength(2);
  });
});
