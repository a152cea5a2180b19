import { describe, expect, it } from "vitest";
import type { SseComment, SseEvent } from "../src/sse.ts";
import { collectSse, readSse, SseParser, SseTimeoutError } from "../src/sse.ts";

const encoder = new TextEncoder();

/** A stream that delivers `bytes` in the given chunk sizes (cycled), and records cancellation. */
function chunked(bytes: Uint8Array, sizes: readonly number[] = [bytes.length]) {
  const state = { cancelled: false, reason: undefined as unknown };
  let offset = 0;
  let turn = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      const size = Math.max(1, sizes[turn++ % sizes.length]!);
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
    cancel(reason) {
      state.cancelled = true;
      state.reason = reason;
    },
  });
  return { stream, state };
}

/** A stream the test feeds by hand. */
function manual() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const state = { cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state, push: (text: string) => controller.enqueue(encoder.encode(text)), controller };
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const parseText = (text: string, sizes?: readonly number[]): Promise<SseEvent[]> =>
  all(readSse(chunked(encoder.encode(text), sizes).stream));

describe("readSse parsing", () => {
  it("parses fields, joins multi-line data and strips one leading space", async () => {
    const text =
      "id: 7\nevent: message\ndata: first\ndata:second\ndata:  indented\nretry: 3000\n\n" +
      'data: {"jsonrpc":"2.0"}\n\n';
    expect(await parseText(text)).toEqual([
      { id: "7", event: "message", data: "first\nsecond\n indented", retry: 3000 },
      { data: '{"jsonrpc":"2.0"}' },
    ]);
  });

  it("accepts LF, CRLF and CR line endings, mixed", async () => {
    const expected = [{ data: "a\nb" }, { event: "x", data: "c" }, { data: "d" }];
    expect(await parseText("data: a\ndata: b\n\nevent: x\ndata: c\n\ndata: d\n\n")).toEqual(expected);
    expect(await parseText("data: a\r\ndata: b\r\n\r\nevent: x\r\ndata: c\r\n\r\ndata: d\r\n\r\n")).toEqual(
      expected,
    );
    expect(await parseText("data: a\rdata: b\r\revent: x\rdata: c\r\rdata: d\r\r")).toEqual(expected);
    expect(await parseText("data: a\r\ndata: b\n\revent: x\rdata: c\r\n\ndata: d\n\r\n")).toEqual(expected);
  });

  it("treats a CRLF split between chunks as one line ending", async () => {
    const parser = new SseParser();
    expect(parser.feed("data: a\r")).toEqual([]);
    expect(parser.feed("\n")).toEqual([]);
    expect(parser.feed("\r")).toEqual([{ data: "a" }]);
    expect(parser.feed("\ndata: b\r\n\r\n")).toEqual([{ data: "b" }]);
  });

  it("handles fields without a colon, empty values and unknown fields", async () => {
    expect(await parseText("data\n\ndata:\ndata\n\nfoo: bar\ndata: x\n\n")).toEqual([
      { data: "" },
      { data: "\n" },
      { data: "x" },
    ]);
  });

  it("dispatches an event with empty data (a priming event) but not a block without data", async () => {
    expect(await parseText("id: p1\ndata:\n\nid: 2\nretry: 10\n\nevent: ping\n\ndata: real\n\n")).toEqual([
      { id: "p1", data: "" },
      { data: "real" },
    ]);
  });

  it("with allBlocks, also yields blocks carrying only id, retry or event", async () => {
    const { stream } = chunked(encoder.encode("id: 2\nretry: 10\n\nevent: ping\n\n: c\n\n"));
    expect(await all(readSse(stream, { allBlocks: true }))).toEqual([
      { id: "2", retry: 10, data: "" },
      { event: "ping", data: "" },
    ]);
  });

  it("ignores ids containing NUL and retry values that are not all digits", async () => {
    expect(await parseText("id: a\0b\nretry: 1.5\ndata: x\n\nretry: 20x\nid\ndata: y\n\n")).toEqual([
      { data: "x" },
      { id: "", data: "y" },
    ]);
  });

  it("does not carry id or event over to the next event", async () => {
    expect(await parseText("id: 1\nevent: e\ndata: a\n\ndata: b\n\n")).toEqual([
      { id: "1", event: "e", data: "a" },
      { data: "b" },
    ]);
  });

  it("ignores comments by default and surfaces them with { comments: true }", async () => {
    const text = ": keep-alive\ndata: a\n:no-space\n\n:\n";
    expect(await parseText(text)).toEqual([{ data: "a" }]);
    const { stream } = chunked(encoder.encode(text));
    const items: (SseEvent | SseComment)[] = await all(readSse(stream, { comments: true }));
    expect(items).toEqual([
      { comment: "keep-alive" },
      { comment: "no-space" },
      { data: "a" },
      { comment: "" },
    ]);
  });

  it("discards an unterminated last event", async () => {
    expect(await parseText("data: a\n\ndata: b\n")).toEqual([{ data: "a" }]);
    expect(await parseText("data: a\n\ndata: b")).toEqual([{ data: "a" }]);
  });

  it("skips a leading UTF-8 BOM, even split across chunks, but keeps a later one", async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode("data: a\n\ndata: \uFEFFb\n\n")]);
    const expected = [{ data: "a" }, { data: "\uFEFFb" }];
    expect(await all(readSse(chunked(bytes).stream))).toEqual(expected);
    expect(await all(readSse(chunked(bytes, [1]).stream))).toEqual(expected);
    expect(await all(readSse(chunked(bytes, [2, 5]).stream))).toEqual(expected);
  });

  it("decodes UTF-8 split at every byte boundary, and replaces invalid bytes", async () => {
    const text = "id: ü-1\r\ndata: naïve 😀 日本\r\n\r\nevent: é\ndata: 🎉\n\n";
    const expected = [
      { id: "ü-1", data: "naïve 😀 日本" },
      { event: "é", data: "🎉" },
    ];
    for (const sizes of [[1], [2], [3], [1, 2, 3, 5, 7], [4, 1], [13]]) {
      expect(await parseText(text, sizes)).toEqual(expected);
    }
    const invalid = new Uint8Array([...encoder.encode("data: a"), 0xff, 0xc3, ...encoder.encode("\n\n")]);
    expect(await all(readSse(chunked(invalid, [1]).stream))).toEqual([{ data: "a\uFFFD\uFFFD" }]);
  });

  it("gives the same events for every split of a mixed stream (pseudo-random cuts)", async () => {
    const text =
      "\uFEFF: hi\r\nid: 1\r\ndata: α\r\ndata: β\r\n\r\nevent: e\rdata: 😀\r\rdata: x\n\nretry: 5\ndata: y\n\n";
    const whole = await parseText(text);
    expect(whole).toEqual([
      { id: "1", data: "α\nβ" },
      { event: "e", data: "😀" },
      { data: "x" },
      { data: "y", retry: 5 },
    ]);
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 50; round++) {
      const sizes = Array.from({ length: 8 }, () => 1 + Math.floor(random() * 6));
      expect(await parseText(text, sizes)).toEqual(whole);
    }
  });
});

describe("readSse streaming", () => {
  it("yields each event as soon as its blank line arrives", async () => {
    const { stream, push, controller } = manual();
    const iterator = readSse(stream);
    push("data: one\n");
    push("\ndata: tw");
    expect(await iterator.next()).toEqual({ done: false, value: { data: "one" } });
    push("o\n\n");
    expect(await iterator.next()).toEqual({ done: false, value: { data: "two" } });
    controller.close();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it("reads a Response body, and nothing from a Response without a body", async () => {
    const response = new Response("data: hello\n\n", { headers: { "content-type": "text/event-stream" } });
    expect(await all(readSse(response))).toEqual([{ data: "hello" }]);
    expect(await all(readSse(new Response(null, { status: 204 })))).toEqual([]);
  });

  it("cancels the body when the consumer stops early", async () => {
    const { stream, state, push } = manual();
    push("data: a\n\ndata: b\n\n");
    for await (const event of readSse(stream)) {
      expect(event).toEqual({ data: "a" });
      break;
    }
    expect(state.cancelled).toBe(true);
  });

  it("cancels the body and throws the reason when the signal aborts", async () => {
    const { stream, state, push } = manual();
    const controller = new AbortController();
    const iterator = readSse(stream, { signal: controller.signal });
    push("data: a\n\n");
    expect((await iterator.next()).value).toEqual({ data: "a" });
    const pending = iterator.next();
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
    expect(state.cancelled).toBe(true);
  });

  it("throws at once for an already aborted signal", async () => {
    const { stream } = manual();
    await expect(all(readSse(stream, { signal: AbortSignal.abort(new Error("early")) }))).rejects.toThrow(
      "early",
    );
  });
});

describe("collectSse", () => {
  it("collects to the end of the stream", async () => {
    const { stream } = chunked(encoder.encode("data: 1\n\n: c\n\ndata: 2\n\n"), [3]);
    expect(await collectSse(stream)).toEqual([{ data: "1" }, { data: "2" }]);
    const { stream: again } = chunked(encoder.encode("data: 1\n\n: c\n\n"));
    expect(await collectSse(again, { comments: true })).toEqual([{ data: "1" }, { comment: "c" }]);
  });

  it("stops after the event `until` accepts and cancels the rest", async () => {
    const { stream, state, push } = manual();
    push("data: 1\n\nevent: done\ndata: 2\n\ndata: 3\n\n");
    const events = await collectSse(stream, { until: (event) => event.event === "done" });
    expect(events).toEqual([{ data: "1" }, { event: "done", data: "2" }]);
    expect(state.cancelled).toBe(true);
  });

  it("fails with SseTimeoutError holding what arrived, and cancels the body", async () => {
    const { stream, state, push } = manual();
    push("data: early\n\n");
    const error = await collectSse(stream, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SseTimeoutError);
    expect((error as SseTimeoutError).items).toEqual([{ data: "early" }]);
    expect((error as SseTimeoutError).message).toContain("50 ms");
    expect(state.cancelled).toBe(true);
  });
});
