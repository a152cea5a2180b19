/**
 * A buffered request or response keeps one `headers` object for its whole life: once it turns into
 * a real one (a member only that has, `clone()`, `toRealResponse`), a reference taken earlier still
 * reads and changes the headers both show — as a real `Request` / `Response`'s `headers` does.
 */
import { describe, expect, it } from "vitest";
import { bufferedRequest, bufferedResponse, toRealRequest, toRealResponse } from "../src/index.ts";

describe("the headers of a buffered response", () => {
  it.each([
    ["clone()", (response: Response) => void response.clone()],
    ["its body", (response: Response) => void response.body],
    ["toRealResponse", (response: Response) => void toRealResponse(response)],
  ])("stay the same object, changes included, when %s makes it real", (_, realize) => {
    const response = bufferedResponse("{}", 200, { "content-type": "application/json" });
    const headers = response.headers;
    realize(response);
    headers.set("x-request-id", "abc");
    expect(response.headers).toBe(headers);
    expect(response.headers.get("x-request-id")).toBe("abc");
    expect(toRealResponse(response).headers.get("x-request-id")).toBe("abc");
    expect(response.clone().headers.get("x-request-id")).toBe("abc");
    // And the other way: a change made on the real response shows through the reference.
    toRealResponse(response).headers.append("vary", "origin");
    expect([...headers]).toStrictEqual([
      ["content-type", "application/json"],
      ["vary", "origin"],
      ["x-request-id", "abc"],
    ]);
  });

  it("are the real response's when nobody looked before it was made", () => {
    const response = bufferedResponse("{}", 200, { "x-a": "1" });
    const real = toRealResponse(response);
    expect(response.headers).toBe(real.headers);
    expect(response.headers.get("x-a")).toBe("1");
  });
});

describe("the headers of a buffered request", () => {
  it("stay the same object, changes included, when its body makes it real", async () => {
    const request = bufferedRequest({ method: "POST", url: "http://x/", headers: { a: "1" }, body: "x" });
    const headers = request.headers;
    void request.body;
    headers.set("authorization", "Bearer t");
    expect(request.headers).toBe(headers);
    expect(request.headers.get("authorization")).toBe("Bearer t");
    expect(toRealRequest(request).headers.get("authorization")).toBe("Bearer t");
    toRealRequest(request).headers.delete("a");
    expect(headers.has("a")).toBe(false);
    expect(await request.clone().text()).toBe("x");
  });
});
