/**
 * The introspection cache and its endpoint under load: concurrent uses of one token share one
 * POST, and the answers kept are bounded in bytes (an answer may be up to 512 KB), not only in
 * entries.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { type OAuthResourceServerOptions, oauthResourceServer } from "../src/index.ts";
import { at, type Idp, startIdp, stopAll } from "./_idp.ts";

const RESOURCE = "https://mcp.example.test/mcp";

afterAll(stopAll);

let idp: Idp;
beforeEach(async () => {
  idp = await startIdp();
});

function server() {
  return oauthResourceServer({
    resource: RESOURCE,
    authorizationServers: [idp.url],
    introspection: { endpoint: `${idp.url}/introspect`, ...idp.introspectionClient },
    onError: () => {},
  } as OAuthResourceServerOptions);
}

const active = (extra: Record<string, unknown> = {}) => ({
  active: true,
  iss: idp.url,
  aud: RESOURCE,
  sub: "opaque-user",
  scope: "files:read",
  exp: at(300),
  ...extra,
});

async function subjectOf(auth: ReturnType<typeof server>, token: string): Promise<unknown> {
  const answer = await auth.authenticate(
    new Request(RESOURCE, { method: "POST", headers: { authorization: `Bearer ${token}` } }),
    {},
  );
  return answer instanceof Response ? answer.status : answer?.subject;
}

describe("introspection bounds", () => {
  it("concurrent uses of one uncached token share one POST", async () => {
    idp.introspection.set("herd-token", active());
    const auth = server();
    const subjects = await Promise.all(Array.from({ length: 50 }, () => subjectOf(auth, "herd-token")));
    expect(subjects).toStrictEqual(Array(50).fill("opaque-user"));
    expect(idp.hits("/introspect")).toBe(1);
    // Once answered, the cache answers.
    expect(await subjectOf(auth, "herd-token")).toBe("opaque-user");
    expect(idp.hits("/introspect")).toBe(1);
  });

  it("keeps at most 16 MiB of answers: large ones push the oldest out, small ones stay", async () => {
    const padding = "x".repeat(400 * 1024);
    const tokens = Array.from({ length: 60 }, (_, i) => `large-${i}`);
    for (const token of tokens) idp.introspection.set(token, active({ padding }));
    const auth = server();
    for (const token of tokens) expect(await subjectOf(auth, token)).toBe("opaque-user");
    expect(idp.hits("/introspect")).toBe(60);
    // 60 × 400 KB is more than the cache keeps: the first answers were dropped, the last kept.
    expect(await subjectOf(auth, "large-0")).toBe("opaque-user");
    expect(idp.hits("/introspect")).toBe(61);
    expect(await subjectOf(auth, "large-59")).toBe("opaque-user");
    expect(idp.hits("/introspect")).toBe(61);
    // Small answers are still kept by the entry (cacheSize 1000).
    for (let i = 0; i < 100; i++) idp.introspection.set(`small-${i}`, active());
    for (let i = 0; i < 100; i++) await subjectOf(auth, `small-${i}`);
    for (let i = 0; i < 100; i++) await subjectOf(auth, `small-${i}`);
    expect(idp.hits("/introspect")).toBe(161);
  });
});
