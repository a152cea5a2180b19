/**
 * The Host check as deployed and under the dev server: API Gateway and Function URL events name
 * the domain they were routed by (`requestContext.domainName`), which the adapter passes on as
 * `ctx.routedHosts`, so the README's code answers there with no configuration; ALB events name
 * none; the dev server names its own address, never a client's `Host`, so a DNS-rebinding request
 * gets the core's 403.
 */
import { addTool, createHandler, type ExecutionContextLike, McpServer } from "@portico/core";
import { addAskingTool, askingCall, modernPost } from "@portico/test-kit";
import { sendAs } from "@portico/test-kit/node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { installAwslambda, type LambdaDevServer, serveLambda } from "../src/dev/index.ts";
import { type EventKind, fromResult, handle, streamHandle, toEvent } from "../src/index.ts";

const context = { awsRequestId: "req-hosts", getRemainingTimeInMillis: () => 30_000 };
const SECRET = "hosts-test-secret-0123456789abcdef0123456789";
const API = "abc123.execute-api.us-east-1.amazonaws.com";
const FUNCTION_URL = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws";
const ALB = "my-alb-1234567890.eu-west-1.elb.amazonaws.com";

/** The README's server: one tool. */
function createServer(): McpServer {
  const server = new McpServer({ name: "hosts", version: "1.0.0" });
  addTool(server, "add", { description: "Adds a and b" }, ({ a, b }) => String(Number(a) + Number(b)));
  return server;
}

const addCall = (url: string, headers: Record<string, string> = {}) =>
  modernPost(url, "tools/call", { name: "add", arguments: { a: 2, b: 3 } }, { headers });

/** `handle(app)` on `request` delivered as an event of `kind`; the front door's response. */
async function invoke(
  app: ReturnType<typeof createHandler>,
  request: Request,
  kind: EventKind,
  domainName?: string,
): Promise<Response> {
  const event = await toEvent(request, kind, domainName === undefined ? {} : { domainName });
  return fromResult(await handle(app)(event, context));
}

describe("deployed: the README's code with no allowedHosts", () => {
  const errors: unknown[] = [];
  // As in the README: createHandler(createServer(), { secret }), then handle(app).
  const app = createHandler(createServer(), { secret: SECRET, onError: (e) => errors.push(e) });
  afterEach(() => {
    errors.length = 0;
  });

  for (const [kind, host] of [
    ["v1", API],
    ["v2", API],
    ["v2", FUNCTION_URL],
    ["v1", "mcp.example.com"], // a custom domain mapped to the API: the event names it
  ] as const) {
    it(`${kind} event for ${host} (the same domainName in the event) answers 200`, async () => {
      const event = await toEvent(addCall(`https://${host}/mcp`), kind);
      expect((event.requestContext as { domainName?: string }).domainName).toBe(host);
      const response = fromResult(await handle(app)(event, context));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ result: { content: [{ text: "5" }] } });
    });
  }

  it("a Host the event does not name gets 403 naming the Host and allowedHosts", async () => {
    const response = await invoke(app, addCall(`https://evil.example.com/mcp`), "v2", API);
    expect(response.status).toBe(403);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain('"evil.example.com"');
    expect(error.message).toContain("allowedHosts");
    expect(errors.map(String).join("\n")).toContain("evil.example.com");
  });

  it("ALB events name no host: 403 naming the load balancer's name, until allowedHosts lists it", async () => {
    const refused = await invoke(app, addCall(`https://${ALB}/mcp`), "alb");
    expect(refused.status).toBe(403);
    const { error } = (await refused.json()) as { error: { message: string } };
    expect(error.message).toContain(JSON.stringify(ALB));
    expect(error.message).toContain("allowedHosts");
    const listed = createHandler(createServer(), { secret: SECRET, allowedHosts: [ALB] });
    expect((await invoke(listed, addCall(`https://${ALB}/mcp`), "alb")).status).toBe(200);
  });
});

describe("ctx: routedHosts and multiInstance", () => {
  /** An app that answers with the ctx it was given. */
  const echo = {
    fetch: (_request: Request, _env?: unknown, ctx?: ExecutionContextLike) =>
      Response.json({ routedHosts: ctx?.routedHosts ?? null, multiInstance: ctx?.multiInstance ?? null }),
  };
  const seen = async (kind: EventKind, domainName?: string) => {
    const request = new Request(`https://${API}/mcp`);
    const event = await toEvent(request, kind, domainName === undefined ? {} : { domainName });
    return (await fromResult(await handle(echo)(event, context)).json()) as Record<string, unknown>;
  };

  it("v1 and v2: the event's domainName; ALB: none; every invocation is multi-instance", async () => {
    expect(await seen("v1")).toEqual({ routedHosts: [API], multiInstance: true });
    expect(await seen("v2", "mcp.example.com")).toEqual({
      routedHosts: ["mcp.example.com"],
      multiInstance: true,
    });
    expect(await seen("alb")).toEqual({ routedHosts: null, multiInstance: true });
  });

  it("ignores a domainName that is not a host name", async () => {
    for (const bad of ["", "a b", "x/y", "evil.example.com@x", "*"]) {
      expect((await seen("v2", bad)).routedHosts).toBeNull();
    }
  });

  it("streamHandle passes the same", async () => {
    installAwslambda();
    const server = await serveLambda(streamHandle(echo), { port: 0, domainName: API });
    try {
      const response = await fetch(`${server.url}/mcp`);
      expect(await response.json()).toEqual({ routedHosts: [API], multiInstance: true });
    } finally {
      await server.close();
    }
  });

  it("a handler without a secret says once, when it first seals a requestState, that it needs one", async () => {
    const errors: unknown[] = [];
    const server = createServer();
    addAskingTool(server);
    const app = createHandler(server, { onError: (e) => errors.push(e) });
    const warnings = () => errors.map(String).filter((e) => e.includes("secret"));
    for (let i = 0; i < 3; i++) {
      expect((await invoke(app, addCall(`https://${API}/mcp`), "v2")).status).toBe(200);
    }
    expect(warnings()).toEqual([]);
    for (let i = 0; i < 3; i++) {
      const answer = await (await invoke(app, askingCall(`https://${API}/mcp`), "v2")).json();
      expect(answer.result.resultType).toBe("input_required");
    }
    expect(warnings()).toHaveLength(1);
  });
});

describe("dev server: DNS rebinding", () => {
  beforeAll(() => installAwslambda());

  for (const [label, make] of [
    ["handle, v2 events", (app: ReturnType<typeof createHandler>) => ({ handler: handle(app), kind: "v2" })],
    ["handle, v1 events", (app: ReturnType<typeof createHandler>) => ({ handler: handle(app), kind: "v1" })],
    [
      "handle, ALB events",
      (app: ReturnType<typeof createHandler>) => ({ handler: handle(app), kind: "alb" }),
    ],
    [
      "streamHandle, v2 events",
      (app: ReturnType<typeof createHandler>) => ({ handler: streamHandle(app), kind: "v2" }),
    ],
  ] as const) {
    it(`${label}: a foreign Host gets 403, with or without its Origin; localhost names answer`, async () => {
      const app = createHandler(createServer(), { secret: SECRET, onError: () => {} });
      const { handler, kind } = make(app);
      let server: LambdaDevServer | undefined;
      try {
        server = await serveLambda(handler, { port: 0, kind: kind as EventKind });
        const { port } = server;
        const evil = `evil.example.com:${port}`;
        for (const origin of [undefined, `http://${evil}`]) {
          const refused = await sendAs(port, addCall(`${server.url}/mcp`), evil, origin);
          expect(refused.status, `origin ${origin}`).toBe(403);
          expect(refused.body).toContain(JSON.stringify(evil).slice(1, -1));
          expect(refused.body).toContain("allowedHosts");
        }
        for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
          const ok = await sendAs(port, addCall(`${server.url}/mcp`), host, `http://${host}`);
          expect(ok.status, host).toBe(200);
          expect(ok.body).toContain('"text":"5"');
        }
      } finally {
        await server?.close();
      }
    });
  }
});
