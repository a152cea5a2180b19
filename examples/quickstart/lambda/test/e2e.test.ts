/**
 * End to end: the BUILT bundle, loaded twice in separate Node processes as the two functions —
 * `streamHandler` (Function URL, response streaming) and `handler` (HTTP API, buffered) — on a
 * local DynamoDB (dynalite) and a stand-in Secrets Manager. Proves the deployment's point: any
 * instance serves any request, legacy sessions through the table, modern MRTR through the shared secret.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  initializeBody,
  initializedBody,
  jsonRpc,
  legacyPost,
  modernPost,
  readJsonRpc,
} from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle } from "../scripts/bundle.ts";
import {
  dependenciesReady,
  functionEnv,
  SECRET_ARN,
  startDynalite,
  startSecretsManager,
} from "./_stand-ins.ts";
import { packageRoot } from "./_templates.ts";

const TABLE = "portico-quickstart-e2e";

interface Stoppable {
  close(): Promise<void>;
}

/** Serves one export of the bundle from a child process; resolves its URL. */
async function serveBundle(file: string, exportName: string, env: Record<string, string>) {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--conditions=@portico/source", join(packageRoot, "test", "_serve-bundle.ts"), file, exportName],
    { cwd: packageRoot, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`${exportName} exited with ${code} before listening:\n${stderr}`);
  });
  const [line] = (await Promise.race([once(lines, "line"), exited])) as [string];
  lines.close();
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = once(child, "exit");
    child.kill("SIGTERM");
    await gone;
  };
  return { url: new URL("/mcp", (JSON.parse(line) as { url: string }).url), stop };
}

const started: Stoppable[] = [];
let secretRequests: readonly unknown[] = [];
let streaming: URL;
let buffered: URL;
let outdir: string;

beforeAll(async () => {
  if (!dependenciesReady) return;
  outdir = mkdtempSync(join(tmpdir(), "portico-quickstart-lambda-e2e-"));
  const { outfile } = await bundle(outdir);

  const dynamo = await startDynalite(TABLE);
  started.push(dynamo);
  const secrets = await startSecretsManager();
  started.push(secrets);
  secretRequests = secrets.requests;

  const env = functionEnv(TABLE, dynamo.url, secrets.url);
  const [stream, plain] = await Promise.all([
    serveBundle(outfile, "streamHandler", env),
    serveBundle(outfile, "handler", env),
  ]);
  started.push({ close: stream.stop }, { close: plain.stop });
  streaming = stream.url;
  buffered = plain.url;
}, 60_000);

afterAll(async () => {
  for (const s of started.splice(0).reverse()) await s.close();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe.skipIf(!dependenciesReady)("the built bundle as two Lambda functions", () => {
  it("fetched the secret once per cold start", () => {
    expect(secretRequests).toEqual([{ SecretId: SECRET_ARN }, { SecretId: SECRET_ARN }]);
  });

  it("continues a legacy session begun on the Function URL over the HTTP API (sessions in DynamoDB)", async () => {
    const init = await fetch(legacyPost(streaming, initializeBody(1)));
    expect(init.status).toBe(200);
    const sessionId = init.headers.get("mcp-session-id");
    expect(sessionId).toBeTruthy();
    const [hello] = await readJsonRpc(init);
    expect(hello?.result.serverInfo.name).toBe("portico-quickstart");

    const options = { sessionId: sessionId as string, protocolVersion: "2025-11-25" };
    expect((await fetch(legacyPost(buffered, initializedBody(), options))).status).toBe(202);
    const call = jsonRpc(2, "tools/call", { name: "add", arguments: { a: 20, b: 22 } });
    const [answer] = await readJsonRpc(await fetch(legacyPost(buffered, call, options)));
    expect(answer?.result.structuredContent).toEqual({ sum: 42 });
  });

  it("completes a modern elicitation begun on one function on the other (shared secret)", async () => {
    const greet = (url: URL, params: Record<string, unknown> = {}) =>
      modernPost(
        url,
        "tools/call",
        { name: "greet", arguments: {}, ...params },
        {
          clientCapabilities: { elicitation: {} },
        },
      );

    const [first] = await readJsonRpc(await fetch(greet(streaming)));
    expect(first?.result.resultType).toBe("input_required");
    const [key] = Object.keys(first?.result.inputRequests);
    const retry = greet(buffered, {
      requestState: first?.result.requestState,
      inputResponses: { [key as string]: { action: "accept", content: { name: "Ada" } } },
    });
    const [second] = await readJsonRpc(await fetch(retry));
    expect(second?.result).toMatchObject({ resultType: "complete", content: [{ text: "Hello, Ada!" }] });
  });

  it("serves the MCP App from the bundle (no file system): the ui:// chart and chart_sales, both eras", async () => {
    const ui = { extensions: { "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] } } };
    const uri = "ui://portico-quickstart/sales-chart.html";
    // Legacy, on the Function URL: a session of a host with MCP Apps.
    const init = await fetch(legacyPost(streaming, initializeBody(1, { capabilities: ui })));
    const options = {
      sessionId: init.headers.get("mcp-session-id") as string,
      protocolVersion: "2025-11-25",
    };
    const [hello] = await readJsonRpc(init);
    expect(hello?.result.capabilities.extensions).toHaveProperty(["io.modelcontextprotocol/ui"]);
    await (await fetch(legacyPost(streaming, initializedBody(), options))).body?.cancel();
    const [read] = await readJsonRpc(
      await fetch(legacyPost(streaming, jsonRpc(2, "resources/read", { uri }), options)),
    );
    expect(read?.result.contents[0]).toMatchObject({ uri, mimeType: "text/html;profile=mcp-app" });
    expect(read?.result.contents[0].text).toContain("portico-sales-chart");
    const call = jsonRpc(3, "tools/call", { name: "chart_sales", arguments: { period: "month" } });
    const [legacy] = await readJsonRpc(await fetch(legacyPost(streaming, call, options)));
    expect(legacy?.result.structuredContent).toMatchObject({ period: "month", total: 2753 });
    // Modern, on the HTTP API: a client without MCP Apps gets the figures as text.
    const [modern] = await readJsonRpc(
      await fetch(
        modernPost(buffered, "tools/call", { name: "chart_sales", arguments: { period: "quarter" } }),
      ),
    );
    expect(modern?.result.structuredContent).toMatchObject({ period: "quarter", total: 8315 });
    expect(modern?.result.content[0].text).toContain("Mar: 3125");
    const [modernRead] = await readJsonRpc(await fetch(modernPost(buffered, "resources/read", { uri })));
    expect(modernRead?.result.contents[0].text).toMatch(/^<!doctype html>/);
  });

  it("streams progress over the Function URL and answers JSON over the HTTP API", async () => {
    const run = async (url: URL) => {
      const init = await fetch(legacyPost(url, initializeBody(1)));
      const options = {
        sessionId: init.headers.get("mcp-session-id") as string,
        protocolVersion: "2025-11-25",
      };
      await init.body?.cancel();
      await fetch(legacyPost(url, initializedBody(), options));
      const call = jsonRpc(2, "tools/call", {
        name: "countdown",
        arguments: { from: 3 },
        _meta: { progressToken: "p" },
      });
      return fetch(legacyPost(url, call, options));
    };

    const streamed = await run(streaming);
    expect(streamed.headers.get("content-type")).toContain("text/event-stream");
    const events = await readJsonRpc(streamed);
    expect(events.filter((m) => m.method === "notifications/progress").map((m) => m.params.progress)).toEqual(
      [1, 2, 3],
    );
    expect(events.at(-1)?.result.content).toEqual([{ type: "text", text: "Liftoff!" }]);

    const plain = await run(buffered);
    expect(plain.headers.get("content-type")).toContain("application/json");
    const [result] = await readJsonRpc(plain);
    expect(result?.result.content).toEqual([{ type: "text", text: "Liftoff!" }]);
  });
});
