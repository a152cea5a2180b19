import { type EventKind, fromResult, handle, toEvent } from "@portico/adapter-lambda";
import { memoryStores } from "@portico/core";
import { initializeBody, legacyPost, modernPost, readJsonRpc } from "@portico/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { createApp, type QuickstartApp } from "../src/app.ts";
import { readConfig } from "../src/config.ts";

const LAMBDA_ENV = {
  TABLE_NAME: "table",
  SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf",
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "secret-key",
};
const URL_HOST = "https://abcdefghijklmnop.lambda-url.eu-west-1.on.aws";
const HTTP_API = "https://abc123.execute-api.us-east-1.amazonaws.com";
const SECRET = "a".repeat(64);
const context = { awsRequestId: "app-test", getRemainingTimeInMillis: () => 30_000 };

const apps: QuickstartApp[] = [];
afterEach(() => {
  for (const app of apps.splice(0)) app.mcp.close();
});

interface Instance {
  /** The request as a front door of `kind` delivers it (its URL's host as the event's domain). */
  fetch(request: Request): Promise<Response>;
}

/**
 * An app configured the way handler.ts does it, on in-memory stores (one "instance" each), behind
 * `handle()` as deployed: each request arrives as an event of `kind` (`v2`: Function URL or HTTP
 * API, `v1`: REST API, `alb`), its `requestContext.domainName` the request URL's host.
 */
function instance(secret = SECRET, env: Record<string, string> = {}, kind: EventKind = "v2"): Instance {
  const config = readConfig({ ...LAMBDA_ENV, ...env });
  const app = createApp({
    stores: memoryStores(),
    secret,
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.allowedOrigins,
    onError: () => {}, // the refused Hosts and Origins these tests send are logged otherwise
  });
  apps.push(app);
  const handler = handle(app);
  return {
    fetch: async (request) => fromResult(await handler(await toEvent(request, kind), context)),
  };
}

const greet = (params: Record<string, unknown> = {}) =>
  modernPost(
    `${URL_HOST}/mcp`,
    "tools/call",
    { name: "greet", arguments: {}, ...params },
    {
      clientCapabilities: { elicitation: {} },
    },
  );

describe("the Lambda app", () => {
  it("serves the quickstart at /mcp under a Function URL host", async () => {
    const response = await instance().fetch(legacyPost(`${URL_HOST}/mcp`, initializeBody(1)));
    expect(response.status).toBe(200);
    const [message] = await readJsonRpc(response);
    expect(message?.result.serverInfo.name).toBe("portico-quickstart");
  });

  it("answers modern tools/call", async () => {
    const request = modernPost(`${URL_HOST}/mcp`, "tools/call", { name: "add", arguments: { a: 2, b: 3 } });
    const [message] = await readJsonRpc(await instance().fetch(request));
    expect(message?.result).toMatchObject({ resultType: "complete", structuredContent: { sum: 5 } });
  });

  it("answers 404 elsewhere, the OAuth metadata path included when OAuth is off", async () => {
    const response = await instance().fetch(new Request(`${URL_HOST}/`));
    expect(response.status).toBe(404);
    const metadata = await instance().fetch(
      new Request(`${URL_HOST}/.well-known/oauth-protected-resource/mcp`),
    );
    expect(metadata.status).toBe(404);
  });

  it("refuses a foreign browser origin, and accepts one listed in ALLOWED_ORIGINS", async () => {
    const request = () =>
      legacyPost(`${URL_HOST}/mcp`, initializeBody(1), { headers: { Origin: "https://evil.example" } });
    expect((await instance().fetch(request())).status).toBe(403);
    const allowing = instance(SECRET, { ALLOWED_ORIGINS: "https://app.example, https://evil.example" });
    expect((await allowing.fetch(request())).status).toBe(200);
  });

  it("answers deployed hosts with no ALLOWED_HOSTS: the domain each event names", async () => {
    for (const [host, kind] of [
      [URL_HOST, "v2"],
      [HTTP_API, "v2"],
      [HTTP_API, "v1"],
    ] as const) {
      const response = await instance(SECRET, {}, kind).fetch(
        modernPost(`${host}/mcp`, "tools/call", { name: "add", arguments: { a: 2, b: 3 } }),
      );
      expect(response.status, `${kind} ${host}`).toBe(200);
      const [message] = await readJsonRpc(response);
      expect(message?.result.structuredContent).toEqual({ sum: 5 });
    }
  });

  it("refuses a Host no event names with 403 naming it and allowedHosts; ALLOWED_HOSTS adds it", async () => {
    // Behind an ALB, whose events carry no domain: the listener's name must be listed.
    const request = () => legacyPost("https://mcp.example.com/mcp", initializeBody(1));
    const refused = await instance(SECRET, {}, "alb").fetch(request());
    expect(refused.status).toBe(403);
    const { error } = (await refused.json()) as { error: { message: string } };
    expect(error.message).toContain('"mcp.example.com"');
    expect(error.message).toContain("allowedHosts");
    const listed = instance(SECRET, { ALLOWED_HOSTS: "mcp.example.com" }, "alb");
    expect((await listed.fetch(request())).status).toBe(200);
  });

  it("completes an elicitation round trip on another instance that shares the secret, not on one that does not", async () => {
    const [first] = await readJsonRpc(await instance().fetch(greet()));
    expect(first?.result.resultType).toBe("input_required");
    const [key] = Object.keys(first?.result.inputRequests);
    const retry = () =>
      greet({
        requestState: first?.result.requestState,
        inputResponses: { [key as string]: { action: "accept", content: { name: "Ada" } } },
      });

    const [second] = await readJsonRpc(await instance().fetch(retry()));
    expect(second?.result).toMatchObject({ resultType: "complete", content: [{ text: "Hello, Ada!" }] });

    const [foreign] = await readJsonRpc(await instance("b".repeat(64)).fetch(retry()));
    expect(foreign?.error).toBeDefined();
  });
});
