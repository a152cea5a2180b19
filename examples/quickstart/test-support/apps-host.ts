/**
 * The quickstart's MCP App as a host that renders MCP Apps sees it, for every runtime's tests: the
 * SDK v2 client at 2026-07-28 declaring `io.modelcontextprotocol/ui` finds the extension, the
 * `chart_sales` tool linked to its `ui://` chart, the chart's HTML, and a summary (not the table)
 * beside the figures it draws.
 */
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { expect } from "vitest";

export const SALES_CHART_URI = "ui://portico-quickstart/sales-chart.html";
export const APPS_HOST_CAPABILITIES = {
  extensions: { "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] } },
};

/** Connects as an MCP Apps host to `endpoint` and checks the sales chart app end to end. */
export async function expectSalesChartApp(endpoint: URL, name: string): Promise<void> {
  const host = new Client({ name, version: "1.0.0" }, {
    capabilities: APPS_HOST_CAPABILITIES,
    versionNegotiation: { mode: { pin: "2026-07-28" } },
  } as ConstructorParameters<typeof Client>[1]);
  await host.connect(new StreamableHTTPClientTransport(endpoint));
  try {
    expect(host.getServerCapabilities()?.extensions).toHaveProperty(["io.modelcontextprotocol/ui"]);
    const { tools } = await host.listTools();
    expect(tools.find((t) => t.name === "chart_sales")?._meta).toMatchObject({
      ui: { resourceUri: SALES_CHART_URI },
    });
    const read = await host.readResource({ uri: SALES_CHART_URI });
    expect(read.contents[0]).toMatchObject({
      uri: SALES_CHART_URI,
      mimeType: "text/html;profile=mcp-app",
      _meta: { ui: { prefersBorder: true } },
    });
    expect((read.contents[0] as { text?: string }).text).toContain("portico-sales-chart");
    const chart = await host.callTool({ name: "chart_sales", arguments: { period: "week" } });
    expect(chart.structuredContent).toMatchObject({ period: "week", total: 812 });
    expect(chart.content).toEqual([
      { type: "text", text: "Sales for the week: 812 EUR in total (shown as a chart)." },
    ]);
  } finally {
    await host.close();
  }
}
