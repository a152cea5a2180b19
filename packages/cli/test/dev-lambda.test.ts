/**
 * `portico dev --lambda`: the module served through the Lambda adapter (`streamHandle`, Function
 * URL events on its dev server) answers the SDK clients of both eras, and logs like `dev`.
 */
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE, type Running, start, stopAll } from "./_cli.ts";

describe("portico dev --lambda", () => {
  let cli: Running;
  let endpoint: URL;

  beforeAll(async () => {
    cli = start(["dev", `${FIXTURE}tools.ts`, "--lambda", "--port", "0"]);
    const [, url] = await cli.waitFor(/at (http:\/\/127\.0\.0\.1:\d+\/mcp)\n/);
    endpoint = new URL(url as string);
  });

  afterAll(stopAll);

  it("says it serves through the Lambda adapter", () => {
    expect(cli.stdout()).toMatch(
      /^portico dev: .*tools\.ts \(createFixtureServer\) through the Lambda adapter \(Function URL events\) at http:\/\/127\.0\.0\.1:\d+\/mcp$/m,
    );
  });

  it("answers tools/call from the SDK v2 client (modern)", async () => {
    const client = new ClientV2(
      { name: "lambda-v2", version: "1.0.0" },
      { versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    await client.connect(new TransportV2(endpoint));
    try {
      expect(await client.callTool({ name: "add", arguments: { a: 1, b: 2 } })).toMatchObject({
        content: [{ type: "text", text: "3" }],
      });
    } finally {
      await client.close();
    }
  });

  it("answers tools/call from the SDK v1 client (legacy session)", async () => {
    const client = new ClientV1({ name: "lambda-v1", version: "1.0.0" });
    const transport = new TransportV1(endpoint);
    await client.connect(transport);
    try {
      expect(transport.sessionId).toBeTypeOf("string");
      expect(await client.callTool({ name: "greet", arguments: {} })).toMatchObject({
        content: [{ type: "text", text: "hello, world" }],
      });
    } finally {
      await transport.terminateSession();
      await client.close();
    }
    await cli.waitFor(/^\d\d:\d\d:\d\d POST tools\/call greet → 200 \d+ ms$/m);
    await cli.waitFor(/^\d\d:\d\d:\d\d DELETE → 200 \d+ ms$/m);
  });

  it("stays quiet about the requestState secret (dev makes one per run)", () => {
    expect(cli.stderr()).not.toContain("no_secret");
    expect(cli.stderr()).toBe("");
  });
});
