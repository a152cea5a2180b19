/**
 * serveStdio in process, over PassThrough streams, with apps that are not Portico handlers (a
 * router answering plain text, an app that throws, one answering JSON that is not JSON-RPC): every
 * request still gets exactly one JSON-RPC response, and `close()` aborts what is in flight.
 */
import { PassThrough } from "node:stream";
import type { FetchApp } from "@portico/host";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type StdioServer, serveStdio } from "../src/index.ts";

interface Harness {
  server: StdioServer;
  input: PassThrough;
  logs: string[];
  send(message: unknown): void;
  /** The next `count` output messages. */
  read(count: number): Promise<Record<string, unknown>[]>;
}

let running: StdioServer | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

function harness(app: FetchApp, options: { maxInFlight?: number } = {}): Harness {
  const input = new PassThrough();
  const output = new PassThrough();
  const logs: string[] = [];
  const server = serveStdio(app, {
    ...options,
    input,
    output,
    log: (line) => logs.push(line),
    redirectConsole: false,
  });
  running = server;
  let text = "";
  output.setEncoding("utf8");
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  output.on("data", (chunk: string) => {
    text += chunk;
    const parts = text.split("\n");
    text = parts.pop() ?? "";
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    server,
    input,
    logs,
    send: (message) => input.write(`${typeof message === "string" ? message : JSON.stringify(message)}\n`),
    read: (count) =>
      new Promise((resolve) => {
        const look = () => {
          if (lines.length >= count) resolve(lines.splice(0, count).map((l) => JSON.parse(l)));
          else waiters.push(look);
        };
        look();
      }),
  };
}

const call = (id: number, method = "tools/list") => ({ jsonrpc: "2.0", id, method, params: {} });

describe("serveStdio in process", () => {
  it("turns a router's plain-text 404 into a JSON-RPC error for that id", async () => {
    const h = harness({ fetch: () => new Response("Not Found\nmore detail", { status: 404 }) });
    h.send(call(1));
    const [error] = await h.read(1);
    expect(error).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32600, message: "The MCP handler answered HTTP 404: Not Found" },
    });
  });

  it("answers -32603 for an app that throws, logging one line without the stack", async () => {
    const h = harness({
      fetch: () => {
        throw new Error("boom\n    at secret (file.ts:1:1)");
      },
    });
    h.send(call(2));
    const [error] = await h.read(1);
    expect(error).toEqual({ jsonrpc: "2.0", id: 2, error: { code: -32603, message: "Internal error" } });
    expect(h.logs).toEqual(["the MCP handler failed: boom"]);
  });

  it("answers -32603 for a 2xx body that is not a JSON-RPC response, and for an empty 202", async () => {
    let n = 0;
    const h = harness({
      fetch: () => (++n === 1 ? Response.json({ ok: true }) : new Response(null, { status: 202 })),
    });
    h.send(call(3));
    const [first] = await h.read(1);
    h.send(call(4));
    const [second] = await h.read(1);
    expect(first).toMatchObject({
      id: 3,
      error: { code: -32603, message: expect.stringContaining("HTTP 200") },
    });
    expect(first?.error).toMatchObject({ message: expect.stringContaining("not a JSON-RPC response") });
    expect(second).toMatchObject({
      id: 4,
      error: { code: -32603, message: expect.stringContaining("HTTP 202") },
    });
  });

  it("keeps the handler's JSON-RPC error, with the request's id in place of null", async () => {
    const body = { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } };
    const h = harness({ fetch: () => Response.json(body, { status: 404 }) });
    h.send(call(5));
    expect(await h.read(1)).toEqual([{ ...body, id: 5 }]);
  });

  it("relays every SSE event as a line, in order, and sends the request as an HTTP client would", async () => {
    const seen: Request[] = [];
    const h = harness({
      fetch: (request) => {
        seen.push(request);
        const events = [
          'data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}\r\n\r\n',
          ": keep-alive\n\nid: 7\nda",
          'ta: {"jsonrpc":"2.0","id":6,\ndata: "result":{}}\n\n',
        ];
        const stream = new ReadableStream({
          start(controller) {
            for (const e of events) controller.enqueue(new TextEncoder().encode(e));
            controller.close();
          },
        });
        return new Response(stream, { headers: { "content-type": "text/event-stream" } });
      },
    });
    h.send(call(6));
    expect(await h.read(2)).toEqual([
      { jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } },
      { jsonrpc: "2.0", id: 6, result: {} },
    ]);
    const request = seen[0] as Request;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("http://localhost/mcp");
    expect(request.headers.get("accept")).toBe("application/json, text/event-stream");
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(await request.json()).toEqual(call(6));
  });

  it("close() aborts a request in flight and resolves closed", async () => {
    let signal: AbortSignal | undefined;
    const h = harness({
      fetch: (request) => {
        signal = request.signal;
        return new Promise<Response>(() => {});
      },
    });
    h.send(call(7));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(signal?.aborted).toBe(false);
    const started = Date.now();
    await h.server.close();
    await h.server.closed;
    expect(signal?.aborted).toBe(true);
    // An app that ignores its signal does not hold the shutdown up.
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("holds at most maxInFlight requests: the next is refused at once, and served once one answers", async () => {
    const held: Array<{ id: unknown; release: () => void }> = [];
    let notifications = 0;
    const h = harness(
      {
        fetch: async (request) => {
          const message = (await request.json()) as { id?: unknown; method: string };
          if (message.id === undefined) {
            notifications++;
            return new Promise<Response>(() => {});
          }
          return new Promise<Response>((resolve) => {
            const answer = () => resolve(Response.json({ jsonrpc: "2.0", id: message.id, result: {} }));
            held.push({ id: message.id, release: answer });
          });
        },
      },
      { maxInFlight: 2 },
    );
    h.send(call(1));
    h.send(call(2));
    h.send([call(3), call(4)]);
    const refused = await h.read(2);
    const busy = {
      code: -32603,
      message: "Too many requests in flight (maxInFlight 2); retry once some have answered",
    };
    expect(refused).toEqual([
      { jsonrpc: "2.0", id: 3, error: busy },
      { jsonrpc: "2.0", id: 4, error: busy },
    ]);
    expect(held.map((r) => r.id)).toEqual([1, 2]);
    held[0]?.release();
    expect(await h.read(1)).toEqual([{ jsonrpc: "2.0", id: 1, result: {} }]);
    h.send(call(5));
    await vi.waitFor(() => expect(held.map((r) => r.id)).toEqual([1, 2, 5]));
    // Notifications are bounded apart: two stay in flight, the third is dropped with a log line.
    for (let i = 0; i < 3; i++) h.send({ jsonrpc: "2.0", method: "notifications/progress", params: {} });
    await vi.waitFor(() =>
      expect(h.logs).toContainEqual(
        expect.stringMatching(/^dropped the notification notifications\/progress: 2 /),
      ),
    );
    await vi.waitFor(() => expect(notifications).toBe(2));
  });

  it("refuses bad options in one line", () => {
    const app = { fetch: () => new Response(null) };
    expect(() => serveStdio({} as FetchApp)).toThrow(/app must have a fetch/);
    expect(() => serveStdio(app, { maxLineBytes: 0 })).toThrow(/maxLineBytes must be a positive integer/);
    expect(() => serveStdio(app, { maxInFlight: 1.5 })).toThrow(
      /maxInFlight must be a positive integer, not 1.5/,
    );
    expect(() => serveStdio(app, { url: "/mcp" })).toThrow(/url must be an absolute URL/);
  });
});
