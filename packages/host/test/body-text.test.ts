/**
 * A buffered request's or response's text body reads back as a real one's: the platform encodes a
 * string body as UTF-8 (a lone surrogate becomes U+FFFD) and decodes it dropping one leading
 * byte-order mark — so a JSON body that starts with U+FEFF parses with `json()` on both. (Only
 * one: undici drops two in a row, where the Encoding standard's UTF-8 decode drops one.)
 */
import { describe, expect, it } from "vitest";
import { bufferedRequest, bufferedResponse } from "../src/index.ts";

const BODIES = [
  '\ufeff{"a":1}',
  '\ufeff"x"',
  '"\ud800"',
  '["a\udc00b", "\ud83d\ude00"]',
  '{"a":1}',
  "not json",
];

/** What a read comes to: its value, or the class of what it throws. */
const outcome = (read: Promise<unknown>) =>
  read.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: (error as Error).constructor.name }),
  );

describe("a buffered text body", () => {
  it.each(BODIES)("reads back from a request as Request's does: %j", async (body) => {
    const init = {
      method: "POST",
      url: "http://127.0.0.1/mcp",
      headers: { "content-type": "application/json" },
      body,
    };
    const real = () => new Request(init.url, init);
    expect(await bufferedRequest(init).text()).toBe(await real().text());
    expect(await outcome(bufferedRequest(init).json())).toStrictEqual(await outcome(real().json()));
  });

  it.each(BODIES)("reads back from a response as Response's does: %j", async (body) => {
    const real = () => new Response(body, { status: 200 });
    expect(await bufferedResponse(body, 200, {}).text()).toBe(await real().text());
    expect(await outcome(bufferedResponse(body, 200, {}).json())).toStrictEqual(await outcome(real().json()));
  });
});
