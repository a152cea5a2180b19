/**
 * The buffered Response and Request where a caller can tell them from the platform's (status
 * checks, bodies that are null), the challenge builder's output as a header, and the waitUntil guard.
 */
import { describe, expect, it } from "vitest";
import {
  bearerChallenge,
  bufferedRequest,
  bufferedResponse,
  challengeResponse,
  guardedWaitUntil,
  readBufferedResponse,
} from "../src/index.ts";

/** What constructing `make` comes to: "ok", or the class of what it throws. */
const outcome = (make: () => unknown) => {
  try {
    make();
    return "ok";
  } catch (error) {
    return (error as Error).constructor.name;
  }
};

describe("bufferedResponse", () => {
  // A buffered response must fail where `new Response` fails, not later in an adapter's toRealResponse.
  it("refuses a status outside 200–599 and a body with 204, 205 or 304, as Response does", () => {
    const cases: [string | null, number, string][] = [
      [null, 199, ""],
      [null, 600, ""],
      [null, 0, ""],
      ["x", 204, ""],
      ["", 204, ""],
      ["x", 205, ""],
      ["x", 304, ""],
      [null, 204, ""],
      [null, 304, ""],
      ["x", 200, ""],
      ["x", 599, ""],
      ["x", 200, "OK"],
      ["x", 200, "bad\r\nline"],
      ["x", 200, "caf\u00e9"],
      ["x", 200, "\u20ac"],
    ];
    for (const [body, status, statusText] of cases) {
      const real = outcome(() => new Response(body, { status, statusText }));
      expect(
        outcome(() => bufferedResponse(body, status, {}, statusText)),
        `${status} ${body}`,
      ).toBe(real);
    }
  });

  // A null body is never "used" on the platform: it reads as "" as often as asked.
  it("reads a null body as often as Response does, bodyUsed staying false", async () => {
    const response = bufferedResponse(null, 202, {});
    expect(await response.text()).toBe("");
    expect(await response.text()).toBe("");
    expect(response.bodyUsed).toBe(false);
    expect(response.clone().status).toBe(202);
    const whole = bufferedResponse("x", 200, {});
    expect(readBufferedResponse(whole)?.body).toBe("x");
  });
});

describe("bufferedRequest", () => {
  it("reads a missing body, or a GET's, as often as Request does, bodyUsed staying false", async () => {
    for (const [method, body] of [
      ["POST", null],
      ["GET", null],
      ["GET", "dropped"],
    ] as const) {
      const request = bufferedRequest({ method, url: "https://a.example/", headers: {}, body });
      expect(await request.text(), method).toBe("");
      expect((await request.bytes()).byteLength, method).toBe(0);
      expect(request.bodyUsed, method).toBe(false);
      expect(() => request.clone(), method).not.toThrow();
    }
  });
});

describe("bearerChallenge", () => {
  it("escapes quotes and backslashes and drops control characters", () => {
    expect(bearerChallenge({ realm: 'a"b\\c\td\r\ne\u007f', errorDescription: "x" })).toBe(
      'Bearer realm="a\\"b\\\\cde", error_description="x"',
    );
  });

  // A header value is a byte string: anything above U+00FF would make challengeResponse throw.
  it("drops what a header cannot carry, so challengeResponse always answers", () => {
    const challenge = { errorDescription: "token from \u20ac-issuer \ud83d\ude00", realm: "caf\u00e9" };
    expect(bearerChallenge(challenge)).toBe(
      'Bearer realm="caf\u00e9", error_description="token from -issuer "',
    );
    const response = challengeResponse(401, challenge);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(bearerChallenge(challenge));
  });
});

describe("guardedWaitUntil", () => {
  // The guard's promise is what the host keeps (or nothing does): it must never reject.
  it("settles its guarded promise even when onError throws", async () => {
    const kept: Promise<unknown>[] = [];
    const waitUntil = guardedWaitUntil(
      (guarded) => kept.push(guarded),
      () => {
        throw new Error("the reporter failed");
      },
    );
    waitUntil(Promise.reject(new Error("background work failed")));
    expect(kept).toHaveLength(1);
    await expect(kept[0]).resolves.toBeUndefined();
  });
});
