/**
 * A client that stops reading an SSE answer (its socket full, the connection still open) cannot
 * hold the stream, or the call behind it, forever: once writes have waited a whole keep-alive
 * interval twice without the client taking a byte, it is treated as gone. The stream errors (the
 * host drops the connection; a resumable client comes back with Last-Event-ID) and whatever was
 * waiting to write or end — `maxStreamMs`, shutdown, a call's final response — goes on.
 */
import { describe, expect, it, vi } from "vitest";
import { STALL_PROBE_MS } from "../src/http/_sse.ts";
import { Exchange } from "../src/http/exchange.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const note = (i: number) => ({
  jsonrpc: "2.0" as const,
  method: "notifications/message",
  params: { level: "info", data: `${i} ${"x".repeat(4000)}` },
});

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    sleep(ms).then(() => false),
  ]);
}

describe("an SSE client that stopped reading", () => {
  it("cannot keep a long stream from ending at its limit", async () => {
    let gone = 0;
    const exchange = new Exchange({ keepAliveMs: 20, forceStream: true, onClientGone: () => gone++ });
    const response = await exchange.response;
    // 400 KB for a client that reads nothing: the writes wait.
    const writes = Array.from({ length: 100 }, (_, i) => exchange.send(note(i)));
    expect(await settlesWithin(Promise.all(writes), 30)).toBe(false);
    // maxStreamMs / shutdown: the last words and the end must not wait for it forever.
    expect(await settlesWithin(exchange.end(undefined, 1000), 1000)).toBe(true);
    expect(await settlesWithin(Promise.all(writes), 10)).toBe(true);
    expect(gone).toBe(1);
    // The host sees an errored body and drops the connection.
    const reader = response.body!.getReader();
    await expect(reader.read()).rejects.toThrow();
  });

  it("a client that keeps reading, however slowly, is not dropped", async () => {
    let gone = 0;
    const exchange = new Exchange({ keepAliveMs: 20, forceStream: true, onClientGone: () => gone++ });
    const response = await exchange.response;
    const reader = response.body!.getReader();
    const writes = Array.from({ length: 60 }, (_, i) => exchange.send(note(i)));
    let text = "";
    const decoder = new TextDecoder();
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value);
        await sleep(5);
      }
    })();
    await Promise.all(writes);
    await exchange.end();
    await reading;
    expect(gone).toBe(0);
    expect(text).toContain('"59 x');
  });

  it("is found gone with keep-alive comments off too, after two full stall probes", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    try {
      let gone = 0;
      const exchange = new Exchange({ keepAliveMs: 0, forceStream: true, onClientGone: () => gone++ });
      await exchange.response;
      const writes = Array.from({ length: 100 }, (_, i) => exchange.send(note(i)));
      expect(await settlesWithin(Promise.all(writes), 10)).toBe(false);
      await vi.advanceTimersByTimeAsync(STALL_PROBE_MS * 3 + 10);
      expect(gone).toBe(1);
      expect(await settlesWithin(Promise.all(writes), 50)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
