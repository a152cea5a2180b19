/**
 * End to end: the quickstart Worker under `wrangler dev` (workerd, local SQLite Durable Objects) on
 * 127.0.0.1, driven by the official SDK clients in both eras — the v1 client (2025-11-25, a
 * session in the Durable Object, elicitation as a server→client request) and the v2 client
 * (2026-07-28, stateless, elicitation as an input_required round trip).
 */

import { request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import {
  type Client as ModernClient,
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, ElicitRequestSchema, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { type DevWorker, devWorker } from "@portico/adapter-workers/dev";
import { expectSalesChartApp } from "@portico/example-quickstart/test-apps";
import { modernPost } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const config = fileURLToPath(new URL("../wrangler.jsonc", import.meta.url));

let worker: DevWorker;
let endpoint: URL;

beforeAll(async () => {
  worker = await devWorker(config, {
    vars: { MCP_STATE_SECRET: "e2e-only-secret-0123456789abcdef0123" },
    // The workspace packages from source, as `npm run dev` bundles them.
    conditions: ["@portico/source", "workerd", "worker", "browser"],
  });
  endpoint = new URL("/mcp", worker.url);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
});

describe("wrangler dev", () => {
  it("serves on 127.0.0.1 and answers 404 JSON off the MCP path", async () => {
    expect(worker.url.hostname).toBe("127.0.0.1");
    const res = await fetch(new URL("/elsewhere", worker.url));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining("/mcp") });
    // OAuth is off (OAUTH_ISSUER empty in wrangler.jsonc): no Protected Resource Metadata either.
    const metadata = await fetch(new URL("/.well-known/oauth-protected-resource/mcp", worker.url));
    expect(metadata.status).toBe(404);
    await metadata.body?.cancel();
  });

  it("refuses a foreign browser Origin with 403 (DNS rebinding), accepts a local one", async () => {
    const list = (origin: string) =>
      fetch(modernPost(endpoint, "tools/list", {}, { headers: { origin } })).then(async (res) => {
        await res.body?.cancel();
        return res.status;
      });
    expect(await list("http://evil.example.com")).toBe(403);
    expect(await list(`http://localhost:${worker.url.port}`)).toBe(200);
  });

  /** A tools/list sent to 127.0.0.1 with the `Host` (and `Origin`) given: wrangler dev passes it through. */
  async function listAs(host: string, origin?: string): Promise<{ status: number; text: string }> {
    const request = modernPost(endpoint, "tools/list", {});
    const body = Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = { ...Object.fromEntries(request.headers), host };
    if (origin !== undefined) headers.origin = origin;
    headers["content-length"] = String(body.byteLength);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port: endpoint.port, method: "POST", path: endpoint.pathname, headers },
        (res) => {
          let text = "";
          res.setEncoding("utf8").on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.setTimeout(15_000, () => req.destroy(new Error("timed out")));
      req.on("error", reject);
      req.end(body);
    });
  }

  it("refuses a DNS-rebinding request (a foreign Host, with or without its Origin) with 403", async () => {
    const evil = `evil.example.com:${endpoint.port}`;
    for (const origin of [undefined, `http://${evil}`]) {
      const refused = await listAs(evil, origin);
      expect(refused.status, `Origin ${origin}`).toBe(403);
      expect(refused.text).toContain(evil);
      expect(refused.text).toContain("allowedHosts");
    }
  });

  it("answers its *.workers.dev host with the default configuration (no ALLOWED_HOSTS)", async () => {
    const routed = await listAs("portico-quickstart.acct.workers.dev");
    expect(routed.status).toBe(200);
    expect(routed.text).toContain('"countdown"');
  });
});

describe("legacy era, v1 SDK client: the session lives in a Durable Object", () => {
  let client: Client;
  let transport: StreamableHTTPClientTransport;
  const elicitations: unknown[] = [];

  beforeAll(async () => {
    client = new Client(
      { name: "e2e-workers-legacy", version: "1.0.0" },
      { capabilities: { elicitation: {} } },
    );
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      elicitations.push(request.params);
      return { action: "accept", content: { name: "Ada" } };
    });
    transport = new StreamableHTTPClientTransport(endpoint);
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
  });

  it("negotiates 2025-11-25 with a session id", () => {
    expect(transport.protocolVersion).toBe("2025-11-25");
    expect(transport.sessionId).toMatch(/^[\x21-\x7e]+$/);
  });

  it("lists and calls tools, with validation and structured output", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["add", "countdown", "greet"]));
    const sum = await client.callTool({ name: "add", arguments: { a: 2, b: 40 } });
    expect(sum.structuredContent).toEqual({ sum: 42 });
    const invalid = await client.callTool({ name: "add", arguments: { a: "two", b: 40 } });
    expect(invalid.isError).toBe(true);
  });

  it("streams progress", async () => {
    const progress: Progress[] = [];
    const result = await client.callTool(
      { name: "countdown", arguments: { from: 3 } },
      CallToolResultSchema,
      {
        onprogress: (p) => progress.push(p),
      },
    );
    expect(result.content).toEqual([{ type: "text", text: "Liftoff!" }]);
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
  });

  it("elicits: the reply POST reaches the waiting tool through the session's Durable Object", async () => {
    const result = await client.callTool({ name: "greet", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
    expect(elicitations).toEqual([expect.objectContaining({ message: "What is your name?" })]);
  });

  it("reads the resource and gets the prompt", async () => {
    const read = await client.readResource({ uri: "quickstart://readme" });
    expect(read.contents[0]).toMatchObject({ text: "A Portico quickstart server." });
    const prompt = await client.getPrompt({ name: "review", arguments: { code: "x" } });
    expect(prompt.messages[0]?.content).toEqual({ type: "text", text: "Please review:\nx" });
  });

  it("serves the MCP App: the ui:// chart (bundled, no file system) and chart_sales as text for this host", async () => {
    const uri = "ui://portico-quickstart/sales-chart.html";
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === "chart_sales")?._meta).toMatchObject({ ui: { resourceUri: uri } });
    const read = await client.readResource({ uri });
    expect(read.contents[0]).toMatchObject({ uri, mimeType: "text/html;profile=mcp-app" });
    expect((read.contents[0] as { text: string }).text).toContain("portico-sales-chart");
    const chart = await client.callTool({ name: "chart_sales", arguments: { period: "month" } });
    expect(chart.structuredContent).toMatchObject({ period: "month", total: 2753 });
    // This client declared no MCP Apps support: the figures come as text.
    expect(JSON.stringify(chart.content)).toContain("W4: 803");
  });

  it("terminates the session: its id is refused afterwards", async () => {
    const sessionId = transport.sessionId as string;
    await transport.terminateSession();
    const res = await fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": sessionId,
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
    });
    expect(res.status).toBe(404);
    await res.body?.cancel();
  });
});

describe("modern era, v2 SDK client: stateless, no Durable Object", () => {
  let client: ModernClient;
  const elicitations: unknown[] = [];

  beforeAll(async () => {
    client = new V2Client(
      { name: "e2e-workers-modern", version: "1.0.0" },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    client.setRequestHandler("elicitation/create", (request) => {
      elicitations.push(request.params);
      return { action: "accept", content: { name: "Bo" } };
    });
    await client.connect(new V2Transport(endpoint));
  });

  afterAll(async () => {
    await client?.close();
  });

  it("negotiates 2026-07-28 through server/discover", () => {
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
  });

  it("calls tools with progress and structured output", async () => {
    const sum = await client.callTool({ name: "add", arguments: { a: 1, b: 2 } });
    expect(sum.structuredContent).toEqual({ sum: 3 });
    const progress: number[] = [];
    const result = await client.callTool(
      { name: "countdown", arguments: { from: 2 } },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(result.content).toEqual([{ type: "text", text: "Liftoff!" }]);
    expect(progress).toEqual([1, 2]);
  });

  it("serves the MCP App to a host that declares it: extension, ui:// resource, chart_sales", async () => {
    await expectSalesChartApp(endpoint, "e2e-workers-apps");
  });

  it("elicits through an input_required round trip sealed with the configured secret", async () => {
    const result = await client.callTool({ name: "greet", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "Hello, Bo!" }]);
    expect(elicitations).toHaveLength(1);
  });
});
