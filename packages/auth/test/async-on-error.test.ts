/**
 * `onError` is typed as returning nothing, but an async reporter (an error service reached over
 * the network) returns a promise: when it rejects, the rejection is dropped — the caller still gets
 * 503 + Retry-After, and the process never sees an unhandled rejection (which ends Node).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OAuthResourceServerOptions, oauthResourceServer } from "../src/index.ts";
import { deadUrl, stopAll } from "./_idp.ts";

const RESOURCE = "https://mcp.example.test/mcp";

afterAll(stopAll);

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});

/** Lets rejections that nobody handles be reported. */
const settled = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("an async onError that rejects", () => {
  it("is not an unhandled rejection: the caller gets 503 + Retry-After, the reporter was called", async () => {
    const url = await deadUrl();
    let reports = 0;
    const auth = oauthResourceServer({
      resource: RESOURCE,
      authorizationServers: [url],
      introspection: { endpoint: `${url}/introspect`, clientId: "c", clientSecret: "s" },
      timeoutMs: 1_000,
      onError: (async () => {
        reports++;
        throw new Error("reporter backend down");
      }) as unknown as OAuthResourceServerOptions["onError"],
    } as OAuthResourceServerOptions);
    const answer = await auth.authenticate(
      new Request(RESOURCE, { method: "POST", headers: { authorization: "Bearer opaque-token" } }),
      {},
    );
    expect(answer).toBeInstanceOf(Response);
    expect((answer as Response).status).toBe(503);
    expect((answer as Response).headers.get("retry-after")).not.toBeNull();
    expect(reports).toBe(1);
    await settled();
    expect(unhandled).toStrictEqual([]);
  });
});
