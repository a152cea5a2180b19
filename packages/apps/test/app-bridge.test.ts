/**
 * The extension's own packages against a real Portico server: the host side (`AppBridge` of
 * `@modelcontextprotocol/ext-apps/app-bridge`, with the v2 SDK `Client` connected over HTTP to
 * Portico on the Node adapter) and the UI side (`App`), linked by an in-memory transport pair in
 * place of the iframe's postMessage. The App's `tools/call` and `resources/read` go through the
 * bridge to the server, in the modern era and in a legacy session.
 */

import { Client, InMemoryTransport, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { App } from "@modelcontextprotocol/ext-apps";
import { AppBridge, getToolUiResourceUri } from "@modelcontextprotocol/ext-apps/app-bridge";
import { type Server, serve } from "@portico/adapter-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_MIME_TYPE, APPS_EXTENSION_ID } from "../src/index.ts";
import { appsHandler, HTML, UI_URI } from "./_server.ts";

let http: Server;
let endpoint: URL;
const handler = appsHandler();

beforeAll(async () => {
  http = await serve(
    { fetch: (request: Request) => handler.fetch(request) },
    { port: 0, hostname: "127.0.0.1" },
  );
  endpoint = new URL(`${http.url}/mcp`);
});

afterAll(async () => {
  handler.close();
  await http?.close();
});

const ERAS = [
  ["modern", { versionNegotiation: { mode: { pin: "2026-07-28" } } }],
  ["legacy", { versionNegotiation: { mode: "legacy" } }],
] as const;

describe.each(ERAS)("%s era", (era, negotiation) => {
  let client: Client;
  let bridge: AppBridge;
  let app: App;
  const toolResults: unknown[] = [];

  beforeAll(async () => {
    client = new Client({ name: "bridge-host", version: "1.0.0" }, {
      capabilities: { extensions: { [APPS_EXTENSION_ID]: { mimeTypes: [APP_MIME_TYPE] } } },
      ...negotiation,
    } as ConstructorParameters<typeof Client>[1]);
    await client.connect(new StreamableHTTPClientTransport(endpoint));
    bridge = new AppBridge(
      client,
      { name: "bridge-host", version: "1.0.0" },
      { serverTools: {}, serverResources: {} },
    );
    const initialized = new Promise<void>((resolve) => {
      bridge.oninitialized = () => resolve();
    });
    const [hostSide, appSide] = InMemoryTransport.createLinkedPair();
    await bridge.connect(hostSide);
    app = new App({ name: "bridge-view", version: "1.0.0" }, {}, { autoResize: false });
    app.ontoolresult = (result) => void toolResults.push(result);
    await app.connect(appSide);
    await initialized;
  });

  afterAll(async () => {
    await app?.close();
    await bridge?.close();
    await client?.close();
  });

  it(`negotiates the ${era} era and sees the extension the server declares`, () => {
    expect(client.getProtocolEra()).toBe(era);
    expect(client.getServerCapabilities()?.extensions).toEqual({
      [APPS_EXTENSION_ID]: { mimeTypes: [APP_MIME_TYPE] },
    });
  });

  it("the host finds the tool's UI, reads it, and hands the tool's result to the view", async () => {
    const { tools } = await client.listTools();
    const tool = tools.find((t) => t.name === "get_weather");
    expect(tool && getToolUiResourceUri(tool)).toBe(UI_URI);
    const read = await client.readResource({ uri: UI_URI });
    expect(read.contents[0]).toMatchObject({ uri: UI_URI, mimeType: APP_MIME_TYPE, text: HTML });
    const result = await client.callTool({ name: "get_weather", arguments: { city: "Oslo" } });
    await bridge.sendToolResult(result as Parameters<AppBridge["sendToolResult"]>[0]);
    await expect.poll(() => toolResults.length, { timeout: 5_000 }).toBe(1);
    expect(toolResults[0]).toMatchObject({ structuredContent: { city: "Oslo", celsius: 21 } });
  });

  it("the view calls tools and reads its resource on the server through the bridge", async () => {
    const called = await app.callServerTool({ name: "get_weather", arguments: { city: "Lima" } });
    expect(called.structuredContent).toEqual({ city: "Lima", celsius: 21 });
    // The host declared MCP Apps support: the server's text is the short one.
    expect(called.content).toEqual([{ type: "text", text: "Lima: 21 °C" }]);
    const refreshed = await app.callServerTool({ name: "refresh_weather", arguments: {} });
    expect(refreshed.content).toEqual([{ type: "text", text: "refreshed" }]);
    const read = await app.readServerResource({ uri: UI_URI });
    expect(read.contents[0]).toMatchObject({ mimeType: APP_MIME_TYPE });
  });
});
