/**
 * Authentication on a cold start never loads undici: the metadata and key-set requests of
 * oauthResourceServer go out through `lightFetch` of @portico/host (node:https on Node), not Node's
 * `fetch`, whose first use loads all of undici (about 100 ms of a Lambda cold start under the
 * runtime's `--expose-gc`). A fresh Node discovers a real (local) authorization server, fetches its
 * keys and serves a buffered tools/call for a token it signed.
 */
import { fileURLToPath } from "node:url";
import { coldModules, nodeStripsTypes } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, type Idp, mint, type SigningKey, signingKey, startIdp, stopAll } from "./_idp.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/cold-auth.mjs", import.meta.url));

let idp: Idp;
let key: SigningKey;
beforeAll(async () => {
  idp = await startIdp();
  key = await signingKey("RS256", "cold");
  idp.keys.push(key.jwk);
});
afterAll(stopAll);

describe("a cold start behind oauthResourceServer", () => {
  it.runIf(nodeStripsTypes)(
    "fetches metadata and keys and admits a token without loading undici",
    async () => {
      const token = await mint(key, {
        iss: idp.url,
        aud: "https://mcp.example.com/mcp",
        sub: "alice",
        client_id: "cold-client",
        exp: at(300),
        iat: at(),
      });
      const { answers, heavy, loaded } = await coldModules<{ status: number; body: string }>(FIXTURE, {
        ISSUER: idp.url,
        TOKEN: token,
      });
      expect(answers.status, answers.body).toBe(200);
      expect(answers.body).toContain('"text":"5"');
      expect(idp.hits("/jwks")).toBe(1);
      expect(loaded).toContain("NativeModule _http_client");
      expect(heavy).toStrictEqual([]);
    },
  );
});
