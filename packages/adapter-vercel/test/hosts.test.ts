/**
 * The Host check with the README's code: deployed on Vercel (`VERCEL=1`, `VERCEL_ENV` production or
 * preview), the request's Host is the one Vercel routed by, so both handlers pass it as
 * `ctx.routedHosts` and a `*.vercel.app` or custom-domain Host answers with no configuration;
 * under `vercel dev` (`VERCEL_ENV=development`, or nothing set) only localhost names pass.
 */
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { addTool, createHandler, type ExecutionContextLike, McpServer } from "@portico/core";
import { addAskingTool, askingCall, modernPost } from "@portico/test-kit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { handle } from "../src/index.ts";
import { toNodeHandler } from "../src/node/index.ts";

const SECRET = "vercel-hosts-test-secret-0123456789abcdef";
const DEPLOYMENT = "portico-quickstart-abc123xyz-team.vercel.app";

function createServer(): McpServer {
  const server = new McpServer({ name: "hosts", version: "1.0.0" });
  addTool(server, "add", { description: "Adds a and b" }, ({ a, b }) => String(Number(a) + Number(b)));
  return server;
}

const addCall = (host: string) =>
  modernPost(
    `https://${host}/api/mcp`,
    "tools/call",
    { name: "add", arguments: { a: 2, b: 3 } },
    {
      headers: { host },
    },
  );

/** Vercel's system variables as a deployment (or vercel dev) has them. */
function environment(vercel: string | undefined, vercelEnv: string | undefined): void {
  vi.stubEnv("VERCEL", vercel);
  vi.stubEnv("VERCEL_ENV", vercelEnv);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the README's api/mcp.ts, Web signature", () => {
  /** As in the README: createHandler(createServer(), { secret }), handle(app, { maxDuration }). */
  const readmeFunction = (errors: unknown[] = []) =>
    handle(createHandler(createServer(), { secret: SECRET, onError: (e) => errors.push(e) }), {
      maxDuration: 60,
    });

  for (const vercelEnv of ["production", "preview"]) {
    it(`deployed (VERCEL_ENV=${vercelEnv}): a *.vercel.app Host and a custom domain answer 200 with no configuration`, async () => {
      environment("1", vercelEnv);
      const { POST } = readmeFunction();
      for (const host of [DEPLOYMENT, "mcp.example.com"]) {
        const response = await POST(addCall(host));
        expect(response.status, host).toBe(200);
        expect(await response.json()).toMatchObject({ result: { content: [{ text: "5" }] } });
      }
    });
  }

  for (const [vercel, vercelEnv] of [
    ["1", "development"],
    [undefined, undefined],
    [undefined, "production"],
    ["0", "production"],
  ] as const) {
    it(`not deployed (VERCEL=${vercel}, VERCEL_ENV=${vercelEnv}): a foreign Host gets 403 naming it and allowedHosts`, async () => {
      environment(vercel, vercelEnv);
      const errors: unknown[] = [];
      const { POST } = readmeFunction(errors);
      const response = await POST(addCall(DEPLOYMENT));
      expect(response.status).toBe(403);
      const { error } = (await response.json()) as { error: { message: string } };
      expect(error.message).toContain(JSON.stringify(DEPLOYMENT));
      expect(error.message).toContain("allowedHosts");
      expect(errors.map(String).join("\n")).toContain(DEPLOYMENT);
      expect((await POST(addCall("127.0.0.1:3000"))).status).toBe(200);
    });
  }

  it("a Host listed in allowedHosts answers off Vercel too", async () => {
    environment(undefined, undefined);
    const { POST } = handle(createHandler(createServer(), { secret: SECRET, allowedHosts: [DEPLOYMENT] }));
    expect((await POST(addCall(DEPLOYMENT))).status).toBe(200);
  });
});

describe("ctx", () => {
  /** What the app was given, through `handle`. */
  async function seen(host: string | undefined, url = `https://${DEPLOYMENT}/api/mcp`) {
    let got: ExecutionContextLike | undefined;
    const { GET } = handle({
      fetch(_request: Request, _env?: unknown, ctx?: ExecutionContextLike) {
        got = ctx;
        return new Response("ok");
      },
    });
    await GET(new Request(url, host === undefined ? {} : { headers: { host } }));
    return { routedHosts: got?.routedHosts ?? null, multiInstance: got?.multiInstance ?? null };
  }

  it("deployed: the request's Host (else the URL's) as routedHosts; always multi-instance", async () => {
    environment("1", "production");
    expect(await seen(DEPLOYMENT)).toEqual({ routedHosts: [DEPLOYMENT], multiInstance: true });
    expect(await seen(undefined)).toEqual({ routedHosts: [DEPLOYMENT], multiInstance: true });
    environment("1", "development");
    expect(await seen(DEPLOYMENT)).toEqual({ routedHosts: null, multiInstance: true });
  });

  it("a handler without a secret says once, when it first seals a requestState, that it needs one", async () => {
    environment("1", "production");
    const errors: unknown[] = [];
    const server = createServer();
    addAskingTool(server);
    const { POST } = handle(createHandler(server, { onError: (e) => errors.push(e) }));
    const warnings = () => errors.map(String).filter((e) => e.includes("secret"));
    for (let i = 0; i < 3; i++) expect((await POST(addCall(DEPLOYMENT))).status).toBe(200);
    expect(warnings()).toEqual([]);
    for (let i = 0; i < 3; i++) {
      const answer = await (
        await POST(askingCall(`https://${DEPLOYMENT}/api/mcp`, { host: DEPLOYMENT }))
      ).json();
      expect(answer.result.resultType).toBe("input_required");
    }
    expect(warnings()).toHaveLength(1);
  });
});

describe("the legacy (req, res) signature", () => {
  /** `toNodeHandler(app)` behind node:http on 127.0.0.1; one request with the Host given. */
  async function post(host: string): Promise<{ status: number; body: string }> {
    const handler = toNodeHandler(createHandler(createServer(), { secret: SECRET, onError: () => {} }));
    const server = createHttpServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const request = addCall(host);
    const body = Buffer.from(await request.arrayBuffer());
    const headers = { ...Object.fromEntries(request.headers), host, "content-length": String(body.length) };
    try {
      return await new Promise((resolve, reject) => {
        const req = httpRequest(
          { host: "127.0.0.1", port, method: "POST", path: "/api/mcp", headers },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
          },
        );
        req.setTimeout(10_000, () => req.destroy(new Error("timed out")));
        req.on("error", reject);
        req.end(body);
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it("deployed: a *.vercel.app Host answers 200 with no configuration", async () => {
    environment("1", "production");
    expect((await post(DEPLOYMENT)).status).toBe(200);
  });

  it("not deployed: the same Host gets 403 naming it and allowedHosts", async () => {
    environment("1", "development");
    const refused = await post(DEPLOYMENT);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain(DEPLOYMENT);
    expect(refused.body).toContain("allowedHosts");
  });
});
