/**
 * Flow control from the outside: a client that writes to the server's stdin without reading its
 * stdout (or reads slowly). The output pipe fills (its writes then wait for "drain"); every line the
 * server keeps reading meanwhile needs an answer it cannot write yet, so unless it stops reading
 * until stdout drains, its memory grows with whatever the client sends.
 */
import { afterEach, describe, expect, it } from "vitest";
import { killGroup, type RawServer, startRaw, step } from "./_helpers.ts";

let server: RawServer | undefined;

afterEach(() => {
  killGroup(server?.child);
  server = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const look = () => (check() ? resolve() : setTimeout(look, 20));
    look();
  });
}

describe("stdout backpressure", () => {
  it("stops reading stdin while stdout is backed up, and answers everything once it drains", async () => {
    server = startRaw();
    const { stdin, stdout } = server.child;
    if (stdin === null || stdout === null) throw new Error("no pipes");
    stdout.pause(); // the client does not read (yet)
    // 4 MiB of lines that are not JSON: each is answered with a parse error (about 100 bytes).
    const LINES = 4096;
    const junk = `${"x".repeat(1023)}\n`;
    for (let i = 0; i < LINES; i++) stdin.write(junk);
    await sleep(1500);
    // A server that stops reading leaves most of the input in the pipe and in this side's buffer
    // (the answers that fit in the full stdout pipe need under 1 MiB of input); one that goes on
    // reading takes it all and holds the answers in memory.
    expect(stdin.writableLength).toBeGreaterThan(2 * 1024 * 1024);

    stdout.resume();
    const raw = server;
    await step(
      "every parse error",
      until(() => raw.lines.length >= LINES),
      20_000,
    );
    expect(raw.lines.slice(0, LINES).every((line) => JSON.parse(line).error?.code === -32700)).toBe(true);
    raw.send('{"jsonrpc":"2.0","id":"after","method":"ping"}');
    await raw.next((m) => m.id === "after", "the ping's answer");
    stdin.end();
    expect(await step("the exit", raw.exited)).toEqual({ code: 0, signal: null });
  }, 30_000);
});
