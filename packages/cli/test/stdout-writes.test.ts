/**
 * A module writing to `process.stdout` itself (at import time or in a tool) does not reach stdout:
 * `portico stdio` keeps stdout to JSON-RPC and `portico call` to the result; the writes go to stderr.
 */
import { afterAll, describe, expect, it } from "vitest";
import { run, start, stopAll } from "./_cli.ts";

const RAW = new URL("./entries/raw-stdout.ts", import.meta.url).pathname;

afterAll(stopAll);

describe("process.stdout.write in the module", () => {
  it("portico call: stdout holds the result alone", async () => {
    const { code, stdout, stderr } = await run(["call", RAW, "who"]);
    expect(code).toBe(0);
    expect(stdout).toBe("raw\n");
    expect(stderr).toBe("raw write while loading\nraw write in the tool\n");
    const raw = await run(["call", RAW, "who", "--raw"]);
    expect(JSON.parse(raw.stdout)).toMatchObject({ content: [{ type: "text", text: "raw" }] });
  });

  it("portico stdio: stdout holds JSON-RPC alone", async () => {
    const cli = start(["stdio", RAW]);
    const send = (message: unknown) => cli.child.stdin?.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    await cli.waitFor(/"id":1/);
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "who", arguments: {} } });
    await cli.waitFor(/"id":2/);
    cli.child.stdin?.end();
    expect(await cli.exited).toBe(0);
    const messages = cli
      .stdout()
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line));
    expect(messages.map((m) => m.id)).toEqual([1, 2]);
    expect(messages[1]).toMatchObject({ result: { content: [{ type: "text", text: "raw" }] } });
    expect(cli.stderr()).toContain("raw write while loading\n");
    expect(cli.stderr()).toContain("raw write in the tool\n");
  });
});
