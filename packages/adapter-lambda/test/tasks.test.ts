/**
 * Tasks on Lambda: SigV4 signing (AWS's published test vectors), `invokeSelf()` sending a signed
 * asynchronous `Invoke` of the running function, both handlers running a task event through
 * `app.runTask`, and the dev server's stand-in of the Invoke API running it as a new invocation.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { addTool, createHandler, enableTasks, McpServer, memoryStores } from "@portico/core";
import { signAwsRequest } from "@portico/host";
import { describe, expect, it } from "vitest";
import { installAwslambda, serveLambda } from "../src/dev/index.ts";
import { handle, invokeSelf, isTaskEvent, streamHandle } from "../src/index.ts";

const EXAMPLE = {
  headers: {},
  body: "",
  region: "us-east-1",
  service: "service",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  date: new Date("2015-08-30T12:36:00Z"),
};

describe("SigV4 (AWS's signature test suite)", () => {
  it.each([
    ["get-vanilla", "GET", [], "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"],
    [
      "get-vanilla-query-order-key-case",
      "GET",
      [
        ["Param2", "value2"],
        ["Param1", "value1"],
      ],
      "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ],
    ["post-vanilla", "POST", [], "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"],
  ] as const)("%s", async (_name, method, query, signature) => {
    const url = new URL("https://example.amazonaws.com/");
    for (const [k, v] of query) url.searchParams.append(k, v);
    const headers = await signAwsRequest({ ...EXAMPLE, method, url });
    expect(headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    );
    expect(headers["x-amz-date"]).toBe("20150830T123600Z");
  });
});

async function capture(): Promise<{
  url: string;
  seen: Promise<{ req: IncomingMessage; body: string }>;
  close(): void;
}> {
  let deliver: (v: { req: IncomingMessage; body: string }) => void = () => {};
  const seen = new Promise<{ req: IncomingMessage; body: string }>((resolve) => {
    deliver = resolve;
  });
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => {
      res.writeHead(202).end();
      deliver({ req, body });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => server.close(),
  };
}

describe("invokeSelf", () => {
  it("sends a signed asynchronous Invoke of the function, carrying the job", async () => {
    const api = await capture();
    try {
      const dispatch = invokeSelf({
        endpoint: api.url,
        functionName: "reports",
        qualifier: "7",
        region: "eu-west-1",
        credentials: { accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: "session" },
      });
      await dispatch({ taskId: "t1", token: "k1" });
      const { req, body } = await api.seen;
      expect(req.method).toBe("POST");
      expect(req.url).toBe("/2015-03-31/functions/reports/invocations?Qualifier=7");
      expect(req.headers["x-amz-invocation-type"]).toBe("Event");
      expect(req.headers["x-amz-security-token"]).toBe("session");
      expect(req.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/eu-west-1\/lambda\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type;x-amz-security-token, Signature=[0-9a-f]{64}$/,
      );
      expect(JSON.parse(body)).toEqual({ portico: "task", job: { taskId: "t1", token: "k1" } });
      expect(isTaskEvent(JSON.parse(body))).toBe(true);
    } finally {
      api.close();
    }
  });

  it("fails clearly off Lambda, for an ARN, and when Lambda refuses", async () => {
    const saved = process.env.AWS_LAMBDA_FUNCTION_NAME;
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    try {
      await expect(invokeSelf({ region: "us-east-1" })({})).rejects.toThrow(/no function name/);
    } finally {
      if (saved !== undefined) process.env.AWS_LAMBDA_FUNCTION_NAME = saved;
    }
    const creds = { accessKeyId: "a", secretAccessKey: "b" };
    await expect(
      invokeSelf({
        functionName: "arn:aws:lambda:us-east-1:1:function:x",
        region: "us-east-1",
        credentials: creds,
      })({}),
    ).rejects.toThrow(/not an ARN/);
    const refusing = createServer((_req, res) => res.writeHead(403).end('{"message":"not allowed"}'));
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    try {
      const endpoint = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
      await expect(
        invokeSelf({ endpoint, functionName: "f", region: "us-east-1", credentials: creds })({}),
      ).rejects.toThrow(/HTTP 403.*not allowed/);
    } finally {
      refusing.close();
    }
  });
});

function taskServer(): McpServer {
  const server = new McpServer({ name: "lambda-tasks", version: "1.0.0" });
  enableTasks(server, { dispatch: async () => {} });
  addTool(server, "report", { taskSupport: "required" }, async () => "report ready");
  return server;
}

const EXT = { extensions: { "io.modelcontextprotocol/tasks": {} } };

function toolsCallEvent(headers: Record<string, string> = {}) {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/mcp",
    rawQueryString: "",
    headers: {
      host: "127.0.0.1",
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      ...headers,
    },
    requestContext: {
      http: { method: "POST", path: "/mcp", sourceIp: "127.0.0.1" },
      domainName: "127.0.0.1",
    },
    isBase64Encoded: false,
  };
}

describe("task events", () => {
  it("handle() runs a task event through app.runTask, in the invocation", async () => {
    const stores = memoryStores();
    const jobs: unknown[] = [];
    const server = taskServer();
    const app = createHandler(server, { stores });
    const original = app.runTask.bind(app);
    app.runTask = (job, env, ctx) => {
      jobs.push({ job, deadline: ctx?.deadline });
      return original(job, env, ctx);
    };
    const handler = handle(app);
    const context = { awsRequestId: "r1", getRemainingTimeInMillis: () => 60_000 };
    const result = await handler({ portico: "task", job: { taskId: "none", token: "x" } }, context);
    expect(result.statusCode).toBe(202);
    expect(jobs).toHaveLength(1);
    expect((jobs[0] as { deadline: number }).deadline).toBeGreaterThan(Date.now() + 50_000);
    // An HTTP event is still HTTP.
    const body = {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name: "report",
        arguments: {},
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": EXT,
        },
      },
    };
    const http = await handler(
      { ...toolsCallEvent({ "mcp-method": "tools/call", "mcp-name": "report" }), body: JSON.stringify(body) },
      context,
    );
    expect(JSON.parse(http.body as string).result.resultType).toBe("task");
  });

  it("an app without runTask fails the task invocation", async () => {
    const handler = handle({ fetch: async () => new Response("") });
    await expect(handler({ portico: "task", job: {} })).rejects.toThrow(/without runTask/);
  });

  it("the dev server's Invoke API runs an Event invocation of the same (streaming) handler", async () => {
    const ran: unknown[] = [];
    const app = {
      fetch: async () => new Response("{}"),
      runTask: async (job: unknown) => void ran.push(job),
    };
    installAwslambda();
    const dev = await serveLambda(streamHandle(app), { port: 0 });
    try {
      await invokeSelf({
        endpoint: dev.url,
        functionName: "portico-local",
        region: "us-east-1",
        credentials: { accessKeyId: "l", secretAccessKey: "l" },
      })({ taskId: "t", token: "k" });
      await dev.idle();
      expect(ran).toEqual([{ taskId: "t", token: "k" }]);
      const sync = await fetch(`${dev.url}/2015-03-31/functions/portico-local/invocations`, {
        method: "POST",
        headers: { "x-amz-invocation-type": "RequestResponse" },
        body: "{}",
      });
      expect(sync.status).toBe(400);
    } finally {
      await dev.close();
    }
  });
});
