/**
 * A server with one MCP App (a UI resource with CSP and permissions, a tool it renders, an
 * app-only tool), and callers for both eras in process (`handler.fetch`).
 */
import { createHandler, type McpHandler, McpServer, memoryStores } from "@portico/core";
import {
  initializeBody,
  initializedBody,
  type JsonRpcMessage,
  jsonRpc,
  legacyPost,
  modernPost,
  readJsonRpc,
} from "@portico/test-kit";
import * as z from "zod";
import {
  APP_MIME_TYPE,
  APPS_EXTENSION_ID,
  addAppResource,
  addAppTool,
  hostSupportsApps,
} from "../src/index.ts";

export const URL_ = "http://127.0.0.1/mcp";
export const UI_URI = "ui://weather/dashboard.html";
export const HTML = "<!doctype html><html><body><h1>Weather</h1><script>/* app */</script></body></html>";

/** The client capabilities of a host that renders MCP Apps. */
export const APPS_HOST = { extensions: { [APPS_EXTENSION_ID]: { mimeTypes: [APP_MIME_TYPE] } } };

export function appsServer(): McpServer {
  const server = new McpServer({ name: "weather", version: "1.0.0" });
  addAppResource(server, UI_URI, {
    title: "Weather dashboard",
    description: "Today's weather, interactive.",
    html: HTML,
    csp: { connectDomains: ["https://api.weather.example"], resourceDomains: ["https://*.cdn.example"] },
    permissions: ["geolocation"],
    prefersBorder: false,
  });
  addAppTool(
    server,
    "get_weather",
    {
      description: "Today's weather in a city.",
      input: z.object({ city: z.string() }),
      output: z.object({ city: z.string(), celsius: z.number() }),
      ui: UI_URI,
    },
    ({ city }, ctx) => ({
      content: [{ type: "text", text: hostSupportsApps(ctx) ? `${city}: 21 °C` : `${city}: 21 °C, sunny` }],
      structuredContent: { city, celsius: 21 },
    }),
  );
  addAppTool(
    server,
    "refresh_weather",
    { description: "Refreshes the dashboard.", ui: { resourceUri: UI_URI, visibility: ["app"] } },
    () => "refreshed",
  );
  return server;
}

export function appsHandler(server = appsServer()): McpHandler {
  return createHandler(server, { stores: memoryStores(), onError: () => {} });
}

/** One modern-era (2026-07-28) request: its final JSON-RPC message. */
export async function modern(
  handler: McpHandler,
  method: string,
  params: Record<string, unknown> = {},
  clientCapabilities: Record<string, unknown> = APPS_HOST,
): Promise<JsonRpcMessage> {
  const messages = await readJsonRpc(
    await handler.fetch(modernPost(URL_, method, params, { clientCapabilities }), {}, {}),
  );
  return messages.at(-1) as JsonRpcMessage;
}

/** A legacy-era (2025-11-25) session: its `initialize` result and a caller inside it. */
export async function legacySession(
  handler: McpHandler,
  capabilities: Record<string, unknown> = APPS_HOST,
): Promise<{
  initialize: JsonRpcMessage;
  call(method: string, params?: Record<string, unknown>): Promise<JsonRpcMessage>;
}> {
  const opened = await handler.fetch(legacyPost(URL_, initializeBody(1, { capabilities })), {}, {});
  const sessionId = opened.headers.get("mcp-session-id") ?? "";
  const [initialize] = await readJsonRpc(opened);
  const options = { sessionId, protocolVersion: "2025-11-25" };
  const done = await handler.fetch(legacyPost(URL_, initializedBody(), options), {}, {});
  await done.body?.cancel();
  let id = 1;
  return {
    initialize: initialize as JsonRpcMessage,
    async call(method, params = {}) {
      const response = await handler.fetch(legacyPost(URL_, jsonRpc(++id, method, params), options), {}, {});
      return (await readJsonRpc(response)).at(-1) as JsonRpcMessage;
    },
  };
}
