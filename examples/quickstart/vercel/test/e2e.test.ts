/**
 * End to end under `vercel dev --local` (started by the test, stopped after it): the official SDK
 * clients in both eras against api/mcp.ts. vercel dev runs every request in a fresh process, so
 * this also proves the deployment's point: legacy sessions and a server→client request's reply
 * cross processes through the stores, modern MRTR round trips through the shared secret.
 */

import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { VercelDev } from "@portico/adapter-vercel/dev";
import { expectSalesChartApp } from "@portico/example-quickstart/test-apps";
import { ISSUER, type Issuer, startIssuer } from "@portico/example-quickstart/test-issuer";
import { expectAddLine } from "@portico/example-quickstart/test-lines";
import { modernPost } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeBuild } from "./_build.ts";
import { startExample } from "./_vercel-dev.ts";
import { describePlainVercelDev } from "./_vercel-dev-cli.ts";

// vercel dev --local refuses to start while .vercel/project.json exists (it then fetches the
// project), and `vercel build` needs one: the build runs first, in this file, and removes it again.
describeBuild();

describe("vercel dev --local", () => {
  let dev: VercelDev;
  let endpoint: URL;
  /** What vercel dev printed: its own lines and the functions' stdout and stderr. */
  let output = "";

  beforeAll(async () => {
    dev = await startExample({
      onOutput: (text) => {
        output += text;
      },
    });
    endpoint = new URL("/mcp", dev.url);
  }, 90_000);

  afterAll(async () => {
    await dev?.stop();
  });

  it("refuses a DNS-rebinding request (a foreign Host and its Origin) with 403, serves localhost", async () => {
    const { port } = endpoint;
    /** A tools/call sent to 127.0.0.1 with the Host (and Origin) a page under another name sends. */
    const send = async (host: string, origin?: string) => {
      const request = modernPost(endpoint, "tools/call", { name: "add", arguments: { a: 1, b: 1 } });
      const body = Buffer.from(await request.arrayBuffer());
      const headers: Record<string, string> = { ...Object.fromEntries(request.headers), host };
      if (origin !== undefined) headers.origin = origin;
      headers["content-length"] = String(body.byteLength);
      return new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: "127.0.0.1", port, method: "POST", path: endpoint.pathname, headers },
          (res) => {
            let text = "";
            res.setEncoding("utf8").on("data", (chunk: string) => {
              text += chunk;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.setTimeout(30_000, () => req.destroy(new Error("timed out")));
        req.on("error", reject);
        req.end(body);
      });
    };
    const evil = `evil.example.com:${port}`;
    const refused = await send(evil, `http://${evil}`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain(evil);
    expect(refused.text).toContain("allowedHosts");
    expect((await send(`localhost:${port}`)).status).toBe(200);
  }, 60_000);

  it("writes one JSON line per request (@portico/observe), correlated by the request's x-vercel-id", async () => {
    const response = await fetch(
      modernPost(endpoint, "tools/call", { name: "add", arguments: { a: 4, b: 5 } }),
    );
    expect(response.status).toBe(200);
    await response.text();
    const id = response.headers.get("x-vercel-id");
    expect(id).toBeTruthy();
    // vercel dev runs each request in a fresh process: a cold start every time.
    expect(await expectAddLine(() => output, id as string)).toMatchObject({ coldStart: true });
  });

  describe("legacy era (SDK v1, 2025-11-25) through vercel dev", { timeout: 60_000 }, () => {
    let client: LegacyClient;
    let transport: LegacyTransport;

    beforeAll(async () => {
      client = new LegacyClient(
        { name: "vercel-e2e-legacy", version: "1.0.0" },
        { capabilities: { elicitation: {} } },
      );
      client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { name: "Ada" } }));
      transport = new LegacyTransport(endpoint);
      await client.connect(transport);
    }, 60_000);

    afterAll(async () => {
      await client?.close();
    });

    it("opens a session and calls a tool in other processes", async () => {
      expect(transport.sessionId).toMatch(/.+/);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["add", "countdown", "greet"]));
      const sum = await client.callTool({ name: "add", arguments: { a: 2, b: 40 } });
      expect(sum.structuredContent).toEqual({ sum: 42 });
    });

    it("streams countdown's progress", async () => {
      const progress: number[] = [];
      const result = await client.callTool(
        { name: "countdown", arguments: { from: 3 } },
        CallToolResultSchema,
        {
          onprogress: (p) => progress.push(p.progress),
        },
      );
      expect(result.content).toEqual([{ type: "text", text: "Liftoff!" }]);
      expect(progress).toEqual([1, 2, 3]);
    });

    it("answers greet's elicitation: the request arrives mid-stream, the reply in another process", async () => {
      // A buffered stream would never deliver the request the tool is waiting on.
      const result = await client.callTool({ name: "greet", arguments: {} });
      expect(result.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
    });

    it("ends the session with DELETE", async () => {
      await transport.terminateSession();
      expect(transport.sessionId).toBeUndefined();
    });
  });

  describe("modern era (SDK v2, 2026-07-28) through vercel dev", { timeout: 60_000 }, () => {
    let client: ModernClient;

    beforeAll(async () => {
      client = new ModernClient(
        { name: "vercel-e2e-modern", version: "1.0.0" },
        { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } },
      );
      client.setRequestHandler("elicitation/create", () => ({ action: "accept", content: { name: "Bo" } }));
      await client.connect(new ModernTransport(endpoint));
    }, 60_000);

    afterAll(async () => {
      await client?.close();
    });

    it("discovers the server and calls a tool", async () => {
      expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
      const sum = await client.callTool({ name: "add", arguments: { a: 1, b: 2 } });
      expect(sum.structuredContent).toEqual({ sum: 3 });
      const read = await client.readResource({ uri: "quickstart://readme" });
      expect(read.contents).toEqual([
        { uri: "quickstart://readme", mimeType: "text/plain", text: "A Portico quickstart server." },
      ]);
    });

    it("serves the MCP App (the ui:// chart and chart_sales) to a host that declares it", async () => {
      await expectSalesChartApp(endpoint, "vercel-e2e-apps");
    });

    it("completes greet's input_required round trip in a second process (shared secret)", async () => {
      const result = await client.callTool({ name: "greet", arguments: {} });
      expect(result.content).toEqual([{ type: "text", text: "Hello, Bo!" }]);
    });

    it("streams progress event by event, not as one buffered body", async () => {
      const response = await fetch(
        modernPost(endpoint, "tools/call", {
          name: "countdown",
          arguments: { from: 3 },
          _meta: { progressToken: 1 },
        }),
      );
      expect(response.headers.get("content-type")).toContain("text/event-stream");
      // The tool pauses 100 ms between events; streamed, they arrive in separate reads of the body.
      const reads: string[] = [];
      const decoder = new TextDecoder();
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        reads.push(decoder.decode(read.value));
      }
      const events = reads.join("").match(/^data: \{.*$/gm) ?? [];
      expect(events).toHaveLength(4); // three progress notifications, then the result
      expect(reads.filter((read) => read.includes("notifications/progress")).length).toBeGreaterThan(1);
    });
  });
});

/** A port free on 127.0.0.1 now (the OAuth resource must name the server's URL before it starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

// After the suite above (files run their suites one after the other): one vercel dev at a time here.
describe("vercel dev --local with OAUTH_ISSUER set", () => {
  let dev: VercelDev;
  let issuer: Issuer;
  let endpoint: string;

  beforeAll(async () => {
    issuer = await startIssuer();
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}/mcp`;
    dev = await startExample({
      port,
      env: { OAUTH_ISSUER: ISSUER, MCP_RESOURCE: endpoint, OAUTH_JWKS_URL: issuer.jwksUrl },
    });
  }, 90_000);

  afterAll(async () => {
    await dev?.stop();
    await issuer?.close();
  });

  it("routes the metadata path to the function (vercel.json), which the 401 points to", async () => {
    const refused = await fetch(modernPost(endpoint, "tools/list", {}));
    expect(refused.status).toBe(401);
    const url = /resource_metadata="([^"]+)"/.exec(refused.headers.get("www-authenticate") ?? "")?.[1];
    expect(url).toBe(`${dev.url}/.well-known/oauth-protected-resource/mcp`);
    const metadata = await fetch(url as string);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({ resource: endpoint, authorization_servers: [ISSUER] });
  }, 30_000);

  it("answers whoami to a token with its scope", async () => {
    const token = await issuer.sign(endpoint, "quickstart:whoami");
    const call = modernPost(
      endpoint,
      "tools/call",
      { name: "whoami", arguments: {} },
      { headers: { authorization: `Bearer ${token}` } },
    );
    const answer = (await (await fetch(call)).json()) as { result: { content: { text: string }[] } };
    expect(JSON.parse(answer.result.content[0]?.text ?? "")).toMatchObject({ subject: "user-1" });
  }, 30_000);
});

// Last: a plain `vercel dev`, with no wrapper and no Portico environment (test/_vercel-dev-cli.ts).
describePlainVercelDev();
