/**
 * `portico stdio` stopped by SIGTERM while its client does not read stdout (the pipe is full): it
 * must still exit, after a bounded wait for stdout to drain, not hang until the client reads again.
 */
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURE, start, stopAll } from "./_cli.ts";

afterAll(stopAll);

const INIT = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "sigterm", version: "1" } },
};

describe("portico stdio, SIGTERM with stdout full", () => {
  it("exits although the client does not read stdout", async () => {
    const cli = start(["stdio", `${FIXTURE}tools.ts`]);
    const { stdin, stdout } = cli.child;
    if (stdin === null || stdout === null) throw new Error("no pipes");
    stdin.on("error", () => {}); // EPIPE once the process has exited
    const send = (message: unknown) => stdin.write(`${JSON.stringify(message)}\n`);
    send(INIT);
    await cli.waitFor(/"id":0/, 8000);
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    stdout.pause(); // the client stops reading
    for (let id = 1; id <= 3000; id++) send({ jsonrpc: "2.0", id, method: "tools/list" });
    // The server stops reading stdin once its stdout is full: lines stay in this side's buffer.
    for (let i = 0; i < 100 && stdin.writableLength === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(stdin.writableLength).toBeGreaterThan(0);
    cli.child.kill("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = await Promise.race([
      cli.exited,
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve("still running"), 5000);
      }),
    ]);
    clearTimeout(timer);
    expect(result).toBe(0);
  }, 15_000);
});
