/**
 * The dev server's stand-in of Lambda's `Invoke` API reads a payload only up to Lambda's limit for
 * asynchronous invocations (1 MB); beyond it, the answer is Lambda's (413,
 * `RequestEntityTooLargeException`), sent without reading the rest, and nothing is invoked.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LambdaDevServer, serveLambda } from "../src/dev/index.ts";
import { handle } from "../src/index.ts";

const LIMIT = 1_048_576;
const PATH = "/2015-03-31/functions/portico-local/invocations";

let server: LambdaDevServer;
const ran: unknown[] = [];
beforeAll(async () => {
  const app = {
    fetch: async () => new Response("{}"),
    runTask: async (job: unknown) => void ran.push(job),
  };
  server = await serveLambda(handle(app), { port: 0 });
});
afterAll(() => server?.close());

/** A task event of exactly `size` bytes of JSON. */
function taskEvent(size: number): string {
  const shell = JSON.stringify({ portico: "task", job: { pad: "" } });
  return JSON.stringify({ portico: "task", job: { pad: "x".repeat(size - shell.length) } });
}

const invoke = (body: string, type = "Event") =>
  fetch(`${server.url}${PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-amz-invocation-type": type },
    body,
  });

/**
 * Uploads up to `total` bytes with chunked encoding (no declared length), as fast as the server
 * takes them, until it answers or the connection ends. Resolves with what was written and the
 * status (or the error) seen.
 */
function upload(total: number): Promise<{ written: number; outcome: number | string }> {
  return new Promise((resolve) => {
    let written = 0;
    let over = false;
    const finish = (outcome: number | string): void => {
      if (over) return;
      over = true;
      req.destroy();
      resolve({ written, outcome });
    };
    const req = request(
      `${server.url}${PATH}`,
      { method: "POST", headers: { "content-type": "application/json", "x-amz-invocation-type": "Event" } },
      (res) => {
        res.resume();
        finish(res.statusCode ?? 0);
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    req.on("close", () => finish("closed"));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = (): void => {
      while (!over && written < total) {
        written += chunk.byteLength;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (!over && written >= total) req.end("{}");
    };
    pump();
  });
}

describe("serveLambda's Invoke API payload limit", () => {
  it("answers a declared payload over 1 MB with Lambda's 413, and invokes nothing", async () => {
    const answer = await invoke(taskEvent(LIMIT + 1));
    expect(answer.status).toBe(413);
    expect(answer.headers.get("x-amzn-errortype")).toBe("RequestEntityTooLargeException");
    expect(await answer.json()).toEqual({
      message: `${LIMIT + 1} byte payload is too large for the Event invocation type (limit ${LIMIT} bytes)`,
    });
    await server.idle();
    expect(ran).toEqual([]);
  });

  it("stops reading a chunked payload once it passes 1 MB", async () => {
    const total = 64 << 20;
    const { written, outcome } = await upload(total);
    // The server answers 413 and closes; a client still uploading may see the reset instead.
    if (typeof outcome === "number") expect(outcome).toBe(413);
    else expect(outcome).toMatch(/ECONNRESET|EPIPE|closed/);
    // What the kernel's buffers took after the server stopped reading, far from all of it.
    expect(written).toBeLessThan(total / 2);
    await server.idle();
    expect(ran).toEqual([]);
  });

  it("still runs an Event invocation of exactly 1 MB", async () => {
    const before = ran.length;
    const answer = await invoke(taskEvent(LIMIT));
    expect(answer.status).toBe(202);
    await server.idle();
    expect(ran).toHaveLength(before + 1);
  });

  it("refuses other invocation types, whatever their payload's size", async () => {
    const answer = await invoke(taskEvent(2 * LIMIT), "RequestResponse");
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      message: "the local Lambda API only takes asynchronous (Event) invocations",
    });
  });
});
