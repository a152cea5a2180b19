/**
 * An authenticator whose answer names neither a subject nor a client makes a caller the core cannot
 * bind legacy sessions, tasks or requestState to: every such caller is one. The request is still
 * served (the authenticator admitted it), and onError hears about it once, so the gap is seen.
 */
import { describe, expect, it } from "vitest";
import { createHandler, McpServer } from "../src/index.ts";
import { URL_ } from "./_client.ts";
import { initializeRequest } from "./_requests.ts";

function handler(auth: { token: string; scopes: string[]; subject?: string; clientId?: string }) {
  const reported: { code: unknown; message: string; where: string }[] = [];
  const h = createHandler(new McpServer({ name: "a", version: "1" }), {
    authenticate: () => ({ ...auth }),
    onError: (error, where) =>
      reported.push({
        code: (error as { code?: unknown }).code,
        message: String((error as Error).message),
        where,
      }),
  });
  return { h, reported };
}

describe("an authenticator's answer without subject and clientId", () => {
  it("is served, and reported once to onError", async () => {
    const { h, reported } = handler({ token: "t", scopes: [] });
    for (let i = 0; i < 3; i++) expect((await h.fetch(initializeRequest(URL_))).status).toBe(200);
    expect(reported).toEqual([
      {
        code: "auth_without_identity",
        message: expect.stringContaining("neither subject nor clientId"),
        where: "auth",
      },
    ]);
  });

  it("is not reported when it names a subject or a client", async () => {
    for (const who of [{ subject: "u1" }, { clientId: "c1" }]) {
      const { h, reported } = handler({ token: "t", scopes: [], ...who });
      expect((await h.fetch(initializeRequest(URL_))).status).toBe(200);
      expect(reported).toEqual([]);
    }
  });
});
