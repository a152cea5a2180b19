/** `followStream`: who ended a followed stream, what it carried, and that it passes everything on. */
import { describe, expect, it } from "vitest";
import { type Followed, followStream } from "../src/stream-lines.ts";

const encoder = new TextEncoder();

/** A server stream whose controller the test drives, and what its `cancel` got. */
function serverStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const seen: { cancelled?: unknown } = {};
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel(reason) {
      seen.cancelled = reason;
    },
  });
  return { stream, controller, seen };
}

function follow(body: ReadableStream<Uint8Array>) {
  const ends: Followed[] = [];
  const response = followStream(
    new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } }),
    (end) => ends.push(end),
  );
  return { response, ends };
}

describe("followStream", () => {
  it("a stream the server closes: endedBy server, every byte passed on and counted", async () => {
    const { stream, controller } = serverStream();
    const { response, ends } = follow(stream);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    controller.enqueue(encoder.encode("data: one\n\n"));
    controller.enqueue(encoder.encode("data: two\n\n"));
    controller.close();
    expect(await response.text()).toBe("data: one\n\ndata: two\n\n");
    expect(ends).toStrictEqual([{ durationMs: expect.any(Number), bytes: 22, endedBy: "server" }]);
  });

  it("a client that leaves: endedBy client once, and its cancel reaches the server's stream", async () => {
    const { stream, controller, seen } = serverStream();
    const { response, ends } = follow(stream);
    controller.enqueue(encoder.encode("data: ack\n\n"));
    const reader = response.body?.getReader();
    expect((await reader?.read())?.value?.byteLength).toBe(11);
    await reader?.cancel("gone");
    expect(seen.cancelled).toBe("gone");
    expect(ends).toStrictEqual([{ durationMs: expect.any(Number), bytes: 11, endedBy: "client" }]);
  });

  it("a server stream that fails: endedBy server, the failure passed on", async () => {
    const { stream, controller } = serverStream();
    const { response, ends } = follow(stream);
    controller.error(new Error("store gone"));
    await expect(response.text()).rejects.toThrow("store gone");
    expect(ends.map((e) => e.endedBy)).toStrictEqual(["server"]);
  });

  it("reads nothing ahead of the client", async () => {
    const { stream, controller } = serverStream();
    const { response } = follow(stream);
    controller.enqueue(encoder.encode("a"));
    controller.enqueue(encoder.encode("b"));
    const reader = response.body?.getReader();
    expect(new TextDecoder().decode((await reader?.read())?.value)).toBe("a");
    await new Promise((resolve) => setTimeout(resolve, 10));
    // The second chunk is still queued in the server's stream (its high-water mark is 1): not copied ahead.
    expect(controller.desiredSize).toBe(0);
    expect(new TextDecoder().decode((await reader?.read())?.value)).toBe("b");
    expect(controller.desiredSize).toBe(1);
    await reader?.cancel();
  });
});
