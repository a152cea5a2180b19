/**
 * The client goes away (it quits, or is killed): the read ends of the server's stdout and stderr
 * close. The server's next write to stdout fails (EPIPE) and it stops; the line it logs about that
 * goes to stderr, broken as well, which must not crash it (an 'error' event nobody listens to).
 */
import { afterEach, describe, expect, it } from "vitest";
import { killGroup, type RawServer, startRaw, step } from "./_helpers.ts";

const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "gone", version: "1" } },
});

let server: RawServer | undefined;

afterEach(() => {
  killGroup(server?.child);
  server = undefined;
});

describe("a client that closes stdout and stderr", () => {
  it("stops the server with exit code 0, not an uncaught EPIPE", async () => {
    server = startRaw();
    server.send(INIT);
    await server.next((m) => m.id === 0, "the initialize result");
    server.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    server.child.stdout?.destroy();
    server.child.stderr?.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let id = 1; id <= 20; id++) server.send(`{"jsonrpc":"2.0","id":${id},"method":"tools/list"}`);
    expect(await step("the exit", server.exited, 8000)).toEqual({ code: 0, signal: null });
  });
});
