import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { toNodeHandler } from "../src/index.ts";
import { deferred, listen, stopAll } from "./_helpers.ts";

afterEach(stopAll);

const encoder = new TextEncoder();

function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener("abort", () => resolve(signal.reason), { once: true });
  });
}

describe("client disconnect", () => {
  it("aborts request.signal and cancels the response body when the client leaves a stream", async () => {
    const signal = deferred<AbortSignal>();
    const cancelled = deferred<unknown>();
    const { url } = await listen(
      toNodeHandler({
        fetch(request) {
          signal.resolve(request.signal);
          return new Response(
            new ReadableStream({
              start(controller) {
                controller.enqueue(encoder.encode(": open\n\n"));
              },
              cancel(reason) {
                cancelled.resolve(reason);
              },
            }),
            { headers: { "content-type": "text/event-stream" } },
          );
        },
      }),
    );
    const client = new AbortController();
    const res = await fetch(url, { signal: client.signal });
    const reader = res.body!.getReader();
    await reader.read();
    const requestSignal = await signal.promise;
    expect(requestSignal.aborted).toBe(false);

    client.abort();
    await aborted(requestSignal);
    expect(requestSignal.aborted).toBe(true);
    await cancelled.promise;
  });

  it("aborts request.signal when the client leaves while the app is still working", async () => {
    const signal = deferred<AbortSignal>();
    const done = deferred();
    const { url } = await listen(
      toNodeHandler({
        async fetch(request) {
          signal.resolve(request.signal);
          await aborted(request.signal);
          done.resolve();
          return new Response("too late");
        },
      }),
    );
    const client = httpRequest(url, { method: "POST", headers: { "content-type": "application/json" } });
    client.on("error", () => {});
    client.end("{}");
    const requestSignal = await signal.promise;
    client.destroy();
    await done.promise;
    expect(requestSignal.aborted).toBe(true);
  });

  it("aborts request.signal and errors the body when the client leaves mid-upload", async () => {
    const bodyError = deferred<unknown>();
    const requestSignal = deferred<AbortSignal>();
    const { url } = await listen(
      toNodeHandler({
        async fetch(request) {
          requestSignal.resolve(request.signal);
          try {
            await request.text();
          } catch (error) {
            bodyError.resolve(error);
          }
          return new Response(null, { status: 204 });
        },
      }),
    );
    const client = httpRequest(url, { method: "POST" });
    client.on("error", () => {});
    client.write("partial");
    const signal = await requestSignal.promise;
    client.destroy();
    expect(await bodyError.promise).toBeInstanceOf(Error);
    await aborted(signal);
    expect(signal.aborted).toBe(true);
  });
});
