import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { restoreRawBody } from "../src/node/_helpers-body.ts";

/** A request whose stream was read to the end, with `req.body` a lazy getter (as Vercel's helpers leave it). */
async function consumed(get: () => unknown): Promise<IncomingMessage> {
  const req = Readable.from([Buffer.from("{bad")]) as unknown as IncomingMessage;
  for await (const _ of req) {
    // drain
  }
  Object.defineProperty(req, "body", { get, configurable: true, enumerable: true });
  return req;
}

describe("restoreRawBody without the replay stream", () => {
  it("keeps what the getter parsed", async () => {
    const req = await consumed(() => ({ parsed: true }));
    expect(restoreRawBody(req)).toBeUndefined();
    expect((req as { body?: unknown }).body).toEqual({ parsed: true });
  });

  it("turns a body the getter cannot parse into an empty one", async () => {
    const req = await consumed(() => {
      throw new Error("Invalid JSON");
    });
    restoreRawBody(req);
    expect((req as { body?: unknown }).body).toBe("");
  });

  it("leaves an unread request alone", () => {
    const req = Readable.from([Buffer.from("{}")]) as unknown as IncomingMessage;
    expect(restoreRawBody(req)).toBeUndefined();
    expect((req as { body?: unknown }).body).toBeUndefined();
  });
});
