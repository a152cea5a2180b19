/**
 * The quickstart's MCP App, in process, in both eras: `chart_sales` linked to its `ui://` chart,
 * the chart read as `text/html;profile=mcp-app`, the extension declared, and the text a host gets
 * with and without MCP Apps.
 */
import { createHandler, type McpHandler } from "@portico/core";
import {
  initializeBody,
  initializedBody,
  jsonRpc,
  legacyPost,
  modernPost,
  readJsonRpc,
} from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { salesFor } from "../src/sales.ts";
import { createQuickstartServer, SALES_CHART_URI } from "../src/tools.ts";

const URL_ = "http://127.0.0.1/mcp";
const MIME = "text/html;profile=mcp-app";
const UI = { extensions: { "io.modelcontextprotocol/ui": { mimeTypes: [MIME] } } };

async function modern(handler: McpHandler, method: string, params = {}, caps: Record<string, unknown> = UI) {
  const request = modernPost(URL_, method, params, { clientCapabilities: caps });
  return (await readJsonRpc(await handler.fetch(request, {}, {}))).at(-1);
}

async function legacy(handler: McpHandler, caps: Record<string, unknown> = UI) {
  const opened = await handler.fetch(legacyPost(URL_, initializeBody(1, { capabilities: caps })), {}, {});
  const options = { sessionId: opened.headers.get("mcp-session-id") ?? "", protocolVersion: "2025-11-25" };
  const [init] = await readJsonRpc(opened);
  await (await handler.fetch(legacyPost(URL_, initializedBody(), options), {}, {})).body?.cancel();
  let id = 1;
  return {
    init,
    call: async (method: string, params = {}) =>
      (
        await readJsonRpc(
          await handler.fetch(legacyPost(URL_, jsonRpc(++id, method, params), options), {}, {}),
        )
      ).at(-1),
  };
}

describe("the sales chart app", () => {
  const handler = createHandler(createQuickstartServer(), { onError: () => {} });

  it("declares io.modelcontextprotocol/ui in both eras", async () => {
    const { init } = await legacy(handler);
    expect(init?.result.capabilities.extensions).toMatchObject({
      "io.modelcontextprotocol/ui": { mimeTypes: [MIME] },
    });
    const discover = await modern(handler, "server/discover");
    expect(discover?.result.capabilities.extensions).toMatchObject({
      "io.modelcontextprotocol/ui": { mimeTypes: [MIME] },
    });
  });

  it.each(["modern", "legacy"])(
    "%s: lists chart_sales with its UI, reads the chart, charts a period",
    async (era) => {
      const call =
        era === "modern"
          ? (method: string, params?: Record<string, unknown>) => modern(handler, method, params)
          : (await legacy(handler)).call;
      const { tools } = (await call("tools/list"))?.result ?? {};
      const tool = tools.find((t: { name: string }) => t.name === "chart_sales");
      expect(tool._meta).toEqual({ ui: { resourceUri: SALES_CHART_URI }, "ui/resourceUri": SALES_CHART_URI });
      expect(tool.inputSchema.properties.period).toMatchObject({ enum: ["week", "month", "quarter"] });

      const read = (await call("resources/read", { uri: SALES_CHART_URI }))?.result;
      expect(read.contents).toHaveLength(1);
      expect(read.contents[0]).toMatchObject({
        uri: SALES_CHART_URI,
        mimeType: MIME,
        _meta: { ui: { prefersBorder: true } },
      });
      expect(read.contents[0].text).toContain("portico-sales-chart");

      const chart = (await call("tools/call", { name: "chart_sales", arguments: { period: "month" } }))
        ?.result;
      expect(chart.structuredContent).toEqual(salesFor("month"));
      expect(chart.content).toEqual([
        { type: "text", text: "Sales for the month: 2753 EUR in total (shown as a chart)." },
      ]);
      const byDefault = (await call("tools/call", { name: "chart_sales", arguments: {} }))?.result;
      expect(byDefault.structuredContent.period).toBe("week");
    },
  );

  it("gives a host without MCP Apps the figures as text, and refuses an unknown period", async () => {
    const plain = await modern(
      handler,
      "tools/call",
      { name: "chart_sales", arguments: { period: "week" } },
      {},
    );
    expect(plain?.result.content[0].text).toBe(
      "Sales for the week: 812 EUR in total.\nMon: 120\nTue: 98\nWed: 143\nThu: 131\nFri: 170\nSat: 88\nSun: 62",
    );
    const bad = await modern(handler, "tools/call", { name: "chart_sales", arguments: { period: "year" } });
    expect(bad?.result.isError).toBe(true);
  });
});
