import { describe, expect, it } from "vitest";
import { type FetchApp, streamHandle, toEvent } from "../src/index.ts";
import { FakeResponseStream, installFakeRuntime, type StreamingHandler } from "./_fake-runtime.ts";

// Lambda may freeze the instance as soon as a streamed response's end arrives. What the app batched
// for the end of its turn (a log line, an EMF document: @portico/observe's stdout writer) must be
// written first, or it reaches CloudWatch at the next thaw, or never.
installFakeRuntime();

const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 60_000 };

/** Runs `app` behind streamHandle; the order of the app's end-of-turn work and the stream's end. */
async function order(app: (log: (what: string) => void) => FetchApp): Promise<string[]> {
  const events: string[] = [];
  const sink = new FakeResponseStream();
  const end = sink.end.bind(sink) as (...args: unknown[]) => FakeResponseStream;
  sink.end = ((...args: unknown[]) => {
    events.push("end");
    return end(...args);
  }) as FakeResponseStream["end"];
  const handler = streamHandle(app((what) => events.push(what))) as StreamingHandler;
  await handler(
    await toEvent(new Request("http://localhost/mcp", { method: "POST", body: "{}" }), "v2"),
    sink,
    context,
  );
  return events;
}

/** Work for the end of this turn, as a batching writer schedules it. */
const atEndOfTurn = (log: (what: string) => void, what: string) => setImmediate(() => log(what));

describe("streamHandle: a response ends after the turn that made it", () => {
  it("a buffered answer (a refusal, a JSON result)", async () => {
    const events = await order((log) => ({
      fetch: async () => {
        atEndOfTurn(log, "line");
        return new Response('{"ok":true}', { status: 403, headers: { "content-type": "application/json" } });
      },
    }));
    expect(events).toEqual(["line", "end"]);
  });

  it("an answer without a body", async () => {
    const events = await order((log) => ({
      fetch: async () => {
        atEndOfTurn(log, "line");
        return new Response(null, { status: 202 });
      },
    }));
    expect(events).toEqual(["line", "end"]);
  });

  it("a stream, whose end is written in the turn its body closed", async () => {
    const events = await order((log) => ({
      fetch: async () => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("event: message\ndata: 1\n\n"));
          },
          pull(controller) {
            atEndOfTurn(log, "stream line");
            controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "text/event-stream" } });
      },
    }));
    expect(events).toEqual(["stream line", "end"]);
  });
});
