/**
 * An app server mounted into another (`mount(parent, prefix, child)`): its views move under the
 * prefix (`ui://weather/…` → `ui://w/weather/…`), and the tools that link to them must follow, or a
 * host reads a view that does not exist.
 */
import { McpServer, mount } from "@portico/core";
import { describe, expect, it } from "vitest";
import { APP_MIME_TYPE, LEGACY_RESOURCE_URI_KEY } from "../src/index.ts";
import { appsHandler, appsServer, HTML, modern, UI_URI } from "./_server.ts";

describe("a mounted app server", () => {
  it("links its tools to its views under the prefix, and serves them there", async () => {
    const parent = new McpServer({ name: "parent", version: "1.0.0" });
    mount(parent, "w", appsServer());
    const handler = appsHandler(parent);
    const moved = "ui://w/weather/dashboard.html";
    const listed = (await modern(handler, "tools/list")).result as {
      tools: { name: string; _meta?: Record<string, any> }[];
    };
    const tool = listed.tools.find((t) => t.name === "w_get_weather");
    expect(tool?._meta?.ui?.resourceUri).toBe(moved);
    expect(tool?._meta?.[LEGACY_RESOURCE_URI_KEY]).toBe(moved);
    const appOnly = listed.tools.find((t) => t.name === "w_refresh_weather");
    expect(appOnly?._meta?.ui).toMatchObject({ resourceUri: moved, visibility: ["app"] });
    const read = (await modern(handler, "resources/read", { uri: moved })).result as {
      contents: { uri: string; mimeType: string; text: string }[];
    };
    expect(read.contents[0]).toMatchObject({ uri: moved, mimeType: APP_MIME_TYPE, text: HTML });
    // The child's own tools still link to its own URI.
    const own = (await modern(appsHandler(appsServer()), "tools/list")).result as {
      tools: { _meta?: Record<string, any> }[];
    };
    expect(own.tools[0]?._meta?.ui?.resourceUri).toBe(UI_URI);
  });
});
