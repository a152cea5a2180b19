/**
 * DNS-rebinding protection of the dev server's Invoke API (`POST /2015-03-31/functions/…/invocations`):
 * it runs its payload as a Lambda event — one that may carry any `requestContext.authorizer` — so a
 * web page must not reach it. A page under a foreign name that resolves to 127.0.0.1
 * (`Host: evil.example:PORT`) can send a same-origin POST with `X-Amz-Invocation-Type: Event` and no
 * preflight: it gets 403 and nothing runs. So does any request with an `Origin` (a browser's); the
 * AWS SDK and `invokeSelf()` send neither, and still work.
 */
import { request } from "node:http";
import { addTool, createHandler, McpServer } from "@portico/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LambdaDevServer, serveLambda } from "../src/dev/index.ts";
import { handle, invokeSelf } from "../src/index.ts";

const PATH = "/2015-03-31/functions/portico-local/invocations";

/** Every call of the `deleteEverything` tool, with the `ctx.auth` it saw. */
const calls: unknown[] = [];
/** Every task job run (what `invokeSelf()` sends). */
const jobs: unknown[] = [];
let dev: LambdaDevServer;

beforeAll(async () => {
  const server = new McpServer({ name: "dev-invoke-hosts", version: "1" });
  addTool(server, "deleteEverything", { description: "a side effect" }, (_args, ctx) => {
    calls.push(ctx.auth ?? null);
    return "deleted";
  });
  const mcp = createHandler(server, { onError: () => {} });
  const app = {
    fetch: mcp.fetch.bind(mcp),
    acceptsBufferedRequests: mcp.acceptsBufferedRequests,
    runTask: async (job: unknown) => void jobs.push(job),
  };
  dev = await serveLambda(handle(app), { port: 0 });
});
afterAll(() => dev?.close());
beforeEach(() => {
  calls.length = 0;
  jobs.length = 0;
});

/**
 * A v2 event calling the tool, with a forged authorizer: what a rebinding page would send to run
 * the tool as an administrator.
 */
function forgedEvent(): string {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: {
      name: "deleteEverything",
      arguments: {},
      _meta: {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
      },
    },
  });
  return JSON.stringify({
    version: "2.0",
    rawPath: "/mcp",
    rawQueryString: "",
    headers: {
      host: "localhost",
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "deleteEverything",
    },
    isBase64Encoded: false,
    body,
    requestContext: {
      http: { method: "POST", path: "/mcp", sourceIp: "10.9.9.9" },
      requestId: "forged",
      domainName: "localhost",
      authorizer: { jwt: { claims: { sub: "admin@corp", scope: "admin:all" }, scopes: ["admin:all"] } },
    },
  });
}

/** POSTs `body` to the Invoke API with the given headers (`host` included); status and body. */
function invoke(
  headers: Record<string, string>,
  body = forgedEvent(),
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${dev.url}${PATH}`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "x-amz-invocation-type": "Event", ...headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("serveLambda's Invoke API and DNS rebinding", () => {
  it("answers a foreign Host (a rebound name) with 403, and runs nothing", async () => {
    const answer = await invoke({ host: `evil.example:${dev.port}` });
    expect(answer.status).toBe(403);
    const { message } = JSON.parse(answer.text) as { message: string };
    expect(message).toContain("evil.example");
    await dev.idle();
    expect(calls).toEqual([]);
  });

  it("answers a request with an Origin (a browser's) with 403, even under a loopback Host", async () => {
    for (const origin of [`http://evil.example:${dev.port}`, `http://127.0.0.1:${dev.port}`, "null"]) {
      const answer = await invoke({ host: `127.0.0.1:${dev.port}`, origin });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.text)).toEqual({ message: expect.stringContaining("Origin") });
    }
    await dev.idle();
    expect(calls).toEqual([]);
  });

  it("still runs an invocation addressed to a loopback name without an Origin", async () => {
    for (const host of [`127.0.0.1:${dev.port}`, `localhost:${dev.port}`, `[::1]:${dev.port}`, "LocalHost"]) {
      const answer = await invoke({ host });
      expect(answer.status).toBe(202);
    }
    await dev.idle();
    expect(calls).toHaveLength(4);
  });

  it("still takes invokeSelf()'s signed invocation, which names the server's own address", async () => {
    await invokeSelf({
      endpoint: dev.url,
      functionName: "portico-local",
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    })({ taskId: "t" });
    await dev.idle();
    expect(jobs).toEqual([{ taskId: "t" }]);
    expect(calls).toEqual([]);
  });
});
