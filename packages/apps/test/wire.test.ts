/**
 * The wire shape, in both eras, in process: the extension declared in `initialize` and
 * `server/discover`, tools linked to their UI in `tools/list`, the UI resource listed and read with
 * its MIME type and `_meta.ui`, and the text a tool gives hosts with and without MCP Apps.
 */
import { describe, expect, it } from "vitest";
import { APP_MIME_TYPE, APPS_EXTENSION_ID } from "../src/index.ts";
import { APPS_HOST, appsHandler, HTML, legacySession, modern, UI_URI } from "./_server.ts";

const UI_META = {
  csp: { connectDomains: ["https://api.weather.example"], resourceDomains: ["https://*.cdn.example"] },
  permissions: { geolocation: {} },
  prefersBorder: false,
};
const DECLARED = { [APPS_EXTENSION_ID]: { mimeTypes: [APP_MIME_TYPE] } };

type Caller = (method: string, params?: Record<string, unknown>) => Promise<{ result?: any; error?: any }>;

async function eras(): Promise<[string, Caller][]> {
  const handler = appsHandler();
  const session = await legacySession(handler);
  return [
    ["modern", (method, params) => modern(handler, method, params)],
    ["legacy", (method, params) => session.call(method, params)],
  ];
}

describe("capability negotiation", () => {
  it("declares io.modelcontextprotocol/ui in initialize (legacy) and server/discover (modern)", async () => {
    const handler = appsHandler();
    const { initialize } = await legacySession(handler);
    expect(initialize.result.capabilities.extensions).toEqual(DECLARED);
    const discover = await modern(handler, "server/discover");
    expect(discover.result.capabilities.extensions).toEqual(DECLARED);
    // Tools and resources are there as ever.
    expect(discover.result.capabilities).toMatchObject({ tools: {}, resources: {} });
  });
});

describe.each(await eras())("%s era", (_era, call) => {
  it("tools/list links each tool to its UI: _meta.ui.resourceUri, the flat key, visibility", async () => {
    const { result } = await call("tools/list");
    const byName = Object.fromEntries(result.tools.map((t: { name: string }) => [t.name, t]));
    expect(byName.get_weather._meta).toEqual({ ui: { resourceUri: UI_URI }, "ui/resourceUri": UI_URI });
    expect(byName.get_weather.outputSchema).toMatchObject({ type: "object" });
    expect(byName.refresh_weather._meta).toEqual({
      ui: { resourceUri: UI_URI, visibility: ["app"] },
      "ui/resourceUri": UI_URI,
    });
  });

  it("resources/list shows the UI resource with its MIME type and _meta.ui", async () => {
    const { result } = await call("resources/list");
    expect(result.resources).toEqual([
      {
        uri: UI_URI,
        name: "weather/dashboard.html",
        title: "Weather dashboard",
        description: "Today's weather, interactive.",
        mimeType: APP_MIME_TYPE,
        _meta: { ui: UI_META },
      },
    ]);
  });

  it("resources/read returns the HTML with text/html;profile=mcp-app and _meta.ui (csp, permissions)", async () => {
    const { result } = await call("resources/read", { uri: UI_URI });
    expect(result.contents).toEqual([
      { uri: UI_URI, mimeType: APP_MIME_TYPE, text: HTML, _meta: { ui: UI_META } },
    ]);
  });

  it("tools/call returns structuredContent for the UI and text that stands on its own", async () => {
    const { result } = await call("tools/call", { name: "get_weather", arguments: { city: "Oslo" } });
    expect(result.structuredContent).toEqual({ city: "Oslo", celsius: 21 });
    expect(result.content).toEqual([{ type: "text", text: "Oslo: 21 °C" }]);
  });
});

describe("hosts without MCP Apps", () => {
  it("modern: a client that did not declare the extension gets the full text (hostSupportsApps is false)", async () => {
    const handler = appsHandler();
    const plain = await modern(
      handler,
      "tools/call",
      { name: "get_weather", arguments: { city: "Oslo" } },
      {},
    );
    expect(plain.result.content).toEqual([{ type: "text", text: "Oslo: 21 °C, sunny" }]);
    // Declared without the HTML MIME type: not an HTML apps host either.
    const other = await modern(
      handler,
      "tools/call",
      { name: "get_weather", arguments: { city: "Oslo" } },
      { extensions: { [APPS_EXTENSION_ID]: { mimeTypes: ["text/uri-list"] } } },
    );
    expect(other.result.content).toEqual([{ type: "text", text: "Oslo: 21 °C, sunny" }]);
    expect(APPS_HOST.extensions[APPS_EXTENSION_ID].mimeTypes).toEqual([APP_MIME_TYPE]);
  });

  it("legacy: the session's initialize capabilities decide", async () => {
    const session = await legacySession(appsHandler(), {});
    const result = await session.call("tools/call", { name: "get_weather", arguments: { city: "Rome" } });
    expect(result.result.content).toEqual([{ type: "text", text: "Rome: 21 °C, sunny" }]);
  });
});
