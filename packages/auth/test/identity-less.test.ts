/**
 * A token that names neither its subject (`sub`) nor its client (`client_id`, `azp`, `cid`) cannot
 * be told apart from any other such token: the legacy sessions, tasks and sealed `requestState`
 * the core binds to a caller's principal would be shared by every holder of one. RFC 9068 requires
 * both in a JWT access token; such a token (or introspection answer) is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthResourceServer } from "../src/index.ts";
import { at, type Idp, mint, type SigningKey, signingKey, startIdp, stopAll } from "./_idp.ts";

const RESOURCE = "https://mcp.example.test/mcp";
const ISSUER = "https://issuer.example.test";

let key: SigningKey;
let idp: Idp;

beforeAll(async () => {
  key = await signingKey("ES256");
  idp = await startIdp();
});
afterAll(stopAll);

async function answer(auth: ReturnType<typeof oauthResourceServer>, token: string) {
  const result = await auth.authenticate(
    new Request(RESOURCE, { method: "POST", headers: { authorization: `Bearer ${token}` } }),
    {},
  );
  return result instanceof Response
    ? { status: result.status, challenge: result.headers.get("www-authenticate") }
    : { subject: result?.subject, clientId: result?.clientId };
}

describe("a JWT that names no subject and no client", () => {
  const jwtServer = () =>
    oauthResourceServer({
      resource: RESOURCE,
      authorizationServers: [ISSUER],
      jwks: { keys: [key.jwk] },
      fetch: () => Promise.reject(new Error("no fetch expected")),
    });
  const token = (claims: Record<string, unknown>) =>
    mint(key, { iss: ISSUER, aud: RESOURCE, exp: at(300), scope: "files:read", ...claims });

  it("is refused with invalid_token", async () => {
    const refused = await answer(jwtServer(), await token({}));
    expect(refused.status).toBe(401);
    expect(refused.challenge).toContain('error="invalid_token"');
    // An empty `sub` names nobody either.
    expect((await answer(jwtServer(), await token({ sub: "" }))).status).toBe(401);
  });

  it("is admitted when it names either", async () => {
    expect(await answer(jwtServer(), await token({ sub: "u1" }))).toEqual({
      subject: "u1",
      clientId: undefined,
    });
    expect(await answer(jwtServer(), await token({ client_id: "c1" }))).toEqual({
      subject: undefined,
      clientId: "c1",
    });
    expect(await answer(jwtServer(), await token({ azp: "c2" }))).toEqual({
      subject: undefined,
      clientId: "c2",
    });
  });
});

describe("an introspection answer that names no subject and no client", () => {
  it("is refused with invalid_token; one naming a client is admitted", async () => {
    const auth = oauthResourceServer({
      resource: RESOURCE,
      authorizationServers: [idp.url],
      introspection: { endpoint: `${idp.url}/introspect`, ...idp.introspectionClient },
    });
    const base = { active: true, iss: idp.url, aud: RESOURCE, scope: "files:read", exp: at(300) };
    idp.introspection.set("nobody", base);
    idp.introspection.set("a-client", { ...base, client_id: "client-9" });
    const refused = await answer(auth, "nobody");
    expect(refused.status).toBe(401);
    expect(refused.challenge).toContain('error="invalid_token"');
    expect(await answer(auth, "a-client")).toEqual({ subject: undefined, clientId: "client-9" });
  });
});
