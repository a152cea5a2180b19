/**
 * `npm run dev` in the Lambda quickstart, exactly as the README says: no AWS account, no build,
 * no environment. The script (`portico-lambda-dev src/local.ts --export streamHandler`) serves the
 * streaming handler through Function URL events with memory stores; the official SDK clients
 * drive both eras through it, server→client requests and round trips included.
 */

import { fileURLToPath } from "node:url";
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { type ReadyProcess, spawnReady } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../..", import.meta.url));

let dev: ReadyProcess | undefined;
let endpoint: URL;

beforeAll(async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0" };
  // What a user's shell has: none of the variables the deployed function reads.
  for (const name of ["TABLE_NAME", "SECRET_ARN", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
    delete env[name];
  delete env.NODE_OPTIONS;
  dev = await spawnReady(
    "sh",
    ["scripts/pnpm.sh", "--silent", "--filter", "@portico/example-quickstart-lambda", "dev"],
    /at (http:\/\/127\.0\.0\.1:\d+\/mcp)/,
    { cwd: ROOT, env },
  );
  endpoint = new URL(dev.match[1] as string);
}, 90_000);

afterAll(() => dev?.stop());

describe("the Lambda quickstart locally (`npm run dev`, no AWS)", () => {
  it("serves the streaming handler with Function URL events on 127.0.0.1", () => {
    expect(dev?.output()).toContain("Lambda handler streamHandler (v2 events)");
    expect(endpoint.hostname).toBe("127.0.0.1");
  });

  it("legacy era (SDK v1): a session in memory, progress on SSE, an elicitation answered", async () => {
    const client = new Client(
      { name: "lambda-local", version: "1.0.0" },
      { capabilities: { elicitation: {} } },
    );
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { name: "Ada" } }));
    const transport = new StreamableHTTPClientTransport(endpoint);
    await client.connect(transport);
    try {
      expect(transport.sessionId).toBeTruthy();
      const sum = await client.callTool({ name: "add", arguments: { a: 40, b: 2 } });
      expect(sum.structuredContent).toEqual({ sum: 42 });
      const progress: number[] = [];
      const countdown = await client.callTool(
        { name: "countdown", arguments: { from: 2 } },
        CallToolResultSchema,
        { onprogress: (p) => progress.push(p.progress) },
      );
      expect(countdown.content).toEqual([{ type: "text", text: "Liftoff!" }]);
      expect(progress).toEqual([1, 2]);
      const greeting = await client.callTool({ name: "greet", arguments: {} });
      expect(greeting.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });

  it("modern era (SDK v2): an input_required round trip sealed with the run's secret", async () => {
    const client = new V2Client(
      { name: "lambda-local-modern", version: "1.0.0" },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    client.setRequestHandler("elicitation/create", () => ({ action: "accept", content: { name: "Bo" } }));
    await client.connect(new V2Transport(endpoint));
    try {
      const greeting = await client.callTool({ name: "greet", arguments: {} });
      expect(greeting.content).toEqual([{ type: "text", text: "Hello, Bo!" }]);
    } finally {
      await client.close();
    }
    // A run with its own secret prints no notice about a missing one.
    expect(dev?.output()).not.toMatch(/secret/i);
  });
});
