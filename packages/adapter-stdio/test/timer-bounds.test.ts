/**
 * `graceMs` no timer can wait: `setTimeout` given more than 2^31−1 ms (or Infinity) fires after
 * 1 ms, so `graceMs: 3e9` would abort the requests still running at the end of input at once
 * instead of letting them finish. Such values are refused when the server is made.
 */
import { PassThrough } from "node:stream";
import type { FetchApp } from "@portico/host";
import { describe, expect, it } from "vitest";
import { serveStdio } from "../src/index.ts";

const MAX = 2_147_483_647;

/** An app whose answer takes 100 ms. */
const slow: FetchApp = {
  async fetch(request) {
    const message = (await request.json()) as { id: unknown };
    await new Promise((resolve) => setTimeout(resolve, 100));
    return Response.json({ jsonrpc: "2.0", id: message.id, result: { ok: true } });
  },
};

/** Sends one request, ends the input, and tells what the client got before the server closed. */
async function answerAfterEndOfInput(graceMs: number): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  const server = serveStdio(slow, { input, output, graceMs, log: () => {}, redirectConsole: false });
  let text = "";
  output.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk;
  });
  input.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} })}\n`);
  await new Promise((resolve) => setTimeout(resolve, 20));
  input.end();
  await server.closed;
  return text.includes('"result":{"ok":true}') ? "the answer" : `no answer (${JSON.stringify(text.trim())})`;
}

describe("graceMs", () => {
  it("refuses a grace no timer can wait, instead of aborting running requests at once", async () => {
    let outcome: string;
    try {
      outcome = `accepted; the client got ${await answerAfterEndOfInput(3e9)}`;
    } catch (error) {
      outcome = `${(error as Error).name}: ${(error as Error).message}`;
    }
    expect(outcome).toBe(
      "TypeError: serveStdio: graceMs must be a finite number of ms from 0 to 2147483647 (about 24.8 days), not 3000000000",
    );
  });

  it("refuses Infinity, NaN, negatives and strings; takes 0 to 2^31−1", () => {
    const app = { fetch: () => new Response(null) };
    const make = (graceMs: unknown) => {
      const streams = { input: new PassThrough(), output: new PassThrough(), redirectConsole: false };
      const server = serveStdio(app, { ...streams, graceMs: graceMs as number, log: () => {} });
      void server.close();
    };
    for (const bad of [MAX + 1, Number.POSITIVE_INFINITY, Number.NaN, -1, "1000"]) {
      expect(() => make(bad), String(bad)).toThrow(
        /^serveStdio: graceMs must be a finite number of ms from 0 to 2147483647/,
      );
    }
    for (const good of [0, 1000, MAX]) expect(() => make(good)).not.toThrow();
  });

  it("with the largest grace a timer keeps, a running request still answers after the end of input", async () => {
    expect(await answerAfterEndOfInput(MAX)).toBe("the answer");
  });
});
