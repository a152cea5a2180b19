/**
 * `timeoutMs` of every authenticator bounds its outgoing requests through a timer
 * (`AbortSignal.timeout`). A timer cannot wait longer than 2^31−1 ms (about 24.8 days): Node,
 * Workers and browsers fire a longer delay after 1 ms, so every key fetch would be aborted at once
 * (503 for every request). 0 aborts at once too, and a fraction makes `AbortSignal.timeout` throw
 * on every request. So each factory refuses all of these when it is called.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  albOidc,
  cloudflareAccess,
  type FetchLike,
  type OAuthResourceServerOptions,
  oauthResourceServer,
} from "../src/index.ts";
import { albSigned, at, mint, type SigningKey, signingKey, stopAll } from "./_idp.ts";

const MAX_TIMER_MS = 2_147_483_647;
const RESOURCE = "https://mcp.example.test/mcp";
const ISSUER = "https://issuer.example.test";
const TEAM = "https://team.example.test";
const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const SIGNER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/mcp/50dc6c495c0c9188";

let rsa: SigningKey;
let ec: SigningKey;

beforeAll(async () => {
  [rsa, ec] = await Promise.all([
    signingKey("RS256"),
    signingKey("ES256", "5e3f2c1a-0b9d-4c6e-8f7a-1d2e3f4a5b6c"),
  ]);
});
afterAll(stopAll);

const noFetch: FetchLike = () => Promise.reject(new Error("no fetch expected"));

/** The three factories, each made with `timeoutMs` (and a `fetch`). */
const factories = {
  oauthResourceServer: (timeoutMs: unknown, fetch: FetchLike = noFetch) =>
    oauthResourceServer({
      resource: RESOURCE,
      authorizationServers: [ISSUER],
      jwksUrl: `${ISSUER}/jwks`,
      fetch,
      onError: () => {},
      timeoutMs,
    } as OAuthResourceServerOptions),
  albOidc: (timeoutMs: unknown, fetch: FetchLike = noFetch) =>
    albOidc({
      keyUrl: "https://keys.example.test/",
      expectedSigner: SIGNER,
      fetch,
      onError: () => {},
      timeoutMs: timeoutMs as number,
    }),
  cloudflareAccess: (timeoutMs: unknown, fetch: FetchLike = noFetch) =>
    cloudflareAccess({
      teamDomain: TEAM,
      audience: AUD,
      fetch,
      onError: () => {},
      timeoutMs: timeoutMs as number,
    }),
};
type Factory = keyof typeof factories;
const names = Object.keys(factories) as Factory[];

/** A request carrying a token each factory accepts (its key fetched through `fetch`). */
async function requestFor(name: Factory): Promise<Request> {
  const headers: Record<string, string> = {};
  if (name === "oauthResourceServer") {
    headers.authorization = `Bearer ${await mint(rsa, { iss: ISSUER, aud: RESOURCE, sub: "u1", exp: at(300) })}`;
  } else if (name === "cloudflareAccess") {
    headers["cf-access-jwt-assertion"] = await mint(
      rsa,
      { iss: TEAM, aud: [AUD], sub: "u1", exp: at(300) },
      { typ: "JWT" },
    );
  } else {
    headers["x-amzn-oidc-data"] = await albSigned(
      ec,
      { typ: "JWT", kid: ec.kid, alg: "ES256", iss: ISSUER, client: "c", signer: SIGNER, exp: at(120) },
      { sub: "u1", exp: at(120) },
    );
  }
  return new Request(RESOURCE, { method: "POST", headers });
}

/** The key material each factory fetches. */
function keyAnswer(name: Factory): Response {
  return name === "albOidc"
    ? new Response(ec.pem, { headers: { "content-type": "text/plain" } })
    : Response.json({ keys: [rsa.jwk] });
}

/** A `fetch` that answers after 30 ms, as a network does, unless its signal fired by then. */
function slowFetch(name: Factory): { fetch: FetchLike; abortedAtAnswer: boolean[] } {
  const abortedAtAnswer: boolean[] = [];
  const fetch: FetchLike = async (_url, init) => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    const aborted = init.signal?.aborted === true;
    abortedAtAnswer.push(aborted);
    if (aborted) throw init.signal?.reason;
    return keyAnswer(name);
  };
  return { fetch, abortedAtAnswer };
}

const refused: unknown[] = [
  3_000_000_000,
  MAX_TIMER_MS + 1,
  Number.POSITIVE_INFINITY,
  0,
  1.5,
  Number.NaN,
  -1,
  "5000",
];

describe.each(names)("%s: timeoutMs", (name) => {
  it.each(refused)("refuses timeoutMs %s at construction, naming the option and its bound", (value) => {
    const make = () => factories[name](value);
    const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
    expect(make).toThrow(TypeError);
    expect(make).toThrow(
      `${name}: \`timeoutMs\` must be a whole number of ms from 1 to 2147483647 (about 24.8 days), got ${shown}`,
    );
  });

  it("accepts timeoutMs from 1 to 2147483647", () => {
    expect(() => factories[name](1)).not.toThrow();
    expect(() => factories[name](MAX_TIMER_MS)).not.toThrow();
  });

  it.each([undefined, MAX_TIMER_MS])(
    "timeoutMs %s: a key fetch that takes 30 ms is not aborted, and the token verifies",
    async (value) => {
      const { fetch, abortedAtAnswer } = slowFetch(name);
      const answer = await factories[name](value, fetch).authenticate(await requestFor(name), {});
      expect(answer).not.toBeInstanceOf(Response);
      expect(answer).toMatchObject({ subject: "u1" });
      expect(abortedAtAnswer).toEqual([false]);
    },
  );
});

describe.each(names)("%s: timeoutMs bounds the body of a custom fetch", (name) => {
  it("a body that trickles on past the timeout (the fetch ends its request on abort, not its body) → 503", async () => {
    // Headers at once, then one byte every 100 ms, whatever the signal says.
    const dripping: FetchLike = async () => {
      let timer: ReturnType<typeof setInterval> | undefined;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          timer = setInterval(() => controller.enqueue(new TextEncoder().encode(" ")), 100);
        },
        cancel() {
          clearInterval(timer);
        },
      });
      return new Response(body, { headers: { "content-type": "application/json" } });
    };
    const started = Date.now();
    const answer = await factories[name](300, dripping).authenticate(await requestFor(name), {});
    expect(answer).toBeInstanceOf(Response);
    expect((answer as Response).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
