/**
 * MCP Apps in a real browser (headless Chromium, Debian's, via playwright-core): a host page on
 * `http://host.test:<port>` (test/browser/host.ts: the v2 SDK client and `AppBridge`, bundled by
 * esbuild) connects to the quickstart server on Portico (`@portico/adapter-node`, reached as
 * `http://mcp.test:<port>/mcp`, another origin), calls `chart_sales`, reads its `ui://` resource,
 * renders it in a `sandbox="allow-scripts"` iframe and relays its JSON-RPC to the server. The
 * chart draws the tool's result; a click in the view calls the tool again through the host; the
 * view cannot reach the page. `PORTICO_APPS_SCREENSHOT=1` saves docs/public/guides/apps-chart.png.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { type Server, serve } from "@portico/adapter-node";
import { createHandler, type McpHandler } from "@portico/core";
import type { Browser, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { salesFor } from "../../../examples/quickstart/src/sales.ts";
import { createQuickstartServer, SALES_CHART_URI } from "../../../examples/quickstart/src/tools.ts";
import { ensureChromium, launchChromium } from "../../../test/browser/src/chromium.ts";
import { APP_MIME_TYPE } from "../src/index.ts";
import type { RunArgs, RunResult } from "./browser/host.ts";
import { type HostPage, serveHostPage } from "./browser/page.ts";

const SCREENSHOT = fileURLToPath(new URL("../../../docs/public/guides/apps-chart.png", import.meta.url));

let browser: Browser | undefined;
let page: HostPage | undefined;
let http: Server | undefined;
let handler: McpHandler | undefined;
let hostOrigin = "";
let endpoint = "";
/** Every tools/call that reached the server: [era, tool, arguments]. */
const calls: [string, unknown, unknown][] = [];

beforeAll(async () => {
  ensureChromium();
  page = await serveHostPage();
  hostOrigin = `http://host.test:${page.port}`;
  const server = createQuickstartServer();
  server.use(async (call, next) => {
    if (call.method === "tools/call") calls.push([call.era, call.params.name, call.params.arguments]);
    return next();
  });
  handler = createHandler(server, {
    allowedOrigins: [hostOrigin],
    allowedHosts: ["mcp.test"],
    onError: () => {},
  });
  http = await serve(
    { fetch: (request: Request) => handler!.fetch(request) },
    { port: 0, hostname: "127.0.0.1" },
  );
  endpoint = `http://mcp.test:${new URL(http.url).port}/mcp`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  handler?.close();
  await http?.close();
  await page?.close();
});

/** Opens the host page, runs the host flow, and returns the page, the view's frame and the outcome. */
async function openApp(era: RunArgs["era"]): Promise<{ tab: Page; view: Frame; outcome: RunResult }> {
  const context = await browser!.newContext({ viewport: { width: 640, height: 480 }, deviceScaleFactor: 2 });
  const tab = await context.newPage();
  tab.setDefaultTimeout(15_000);
  const problems: string[] = [];
  tab.on("pageerror", (error) => problems.push(error.message));
  await tab.goto(`${hostOrigin}/`);
  const args: RunArgs = { endpoint, era, tool: "chart_sales", arguments: { period: "week" } };
  let outcome: RunResult;
  try {
    outcome = await tab.evaluate(
      (a) => (window as unknown as { host: { run(x: RunArgs): Promise<RunResult> } }).host.run(a),
      args,
    );
  } catch (error) {
    throw new Error(`the host page failed: ${String(error).split("\n")[0]} ${problems.join("; ")}`);
  }
  const view = await (await tab.waitForSelector("iframe#app")).contentFrame();
  if (!view) throw new Error("the view's iframe has no frame");
  return { tab, view, outcome };
}

/** The bars the view drew: [label, value] in order. */
async function bars(view: Frame): Promise<[string, number][]> {
  return view.$$eval("svg rect.bar", (rects) =>
    rects.map(
      (r) => [r.getAttribute("data-label") ?? "", Number(r.getAttribute("data-value"))] as [string, number],
    ),
  );
}

const expected = (period: "week" | "month" | "quarter") =>
  salesFor(period).points.map((p) => [p.label, p.value] as [string, number]);

describe.each(["modern", "legacy"] as const)("a web host in the %s era", (era) => {
  let tab: Page;
  let view: Frame;
  let outcome: RunResult;

  beforeAll(async () => {
    ({ tab, view, outcome } = await openApp(era));
  }, 60_000);

  afterAll(async () => {
    await tab?.context().close();
  });

  it("reads the tool's ui:// resource as an MCP App and renders the tool's result as an SVG chart", async () => {
    expect(outcome).toMatchObject({ era, resourceUri: SALES_CHART_URI, mimeType: APP_MIME_TYPE });
    expect(outcome.structuredContent).toEqual(salesFor("week"));
    await view.waitForSelector('svg[data-period="week"] rect.bar');
    expect(await bars(view)).toEqual(expected("week"));
    expect(await view.textContent("#status")).toBe("week: 812 EUR in total");
    // The view's bar heights follow the values: the tallest bar is Friday's.
    const heights = await view.$$eval("svg rect.bar", (rects) =>
      rects.map((r) => Number(r.getAttribute("height"))),
    );
    expect(heights.indexOf(Math.max(...heights))).toBe(4);
  });

  it("a click in the view calls the tool on the server through the host and redraws the chart", async () => {
    const before = calls.length;
    await view.click('button[data-period="month"]');
    await view.waitForSelector('svg[data-period="month"] rect.bar');
    expect(await bars(view)).toEqual(expected("month"));
    expect(calls.slice(before)).toEqual([[era, "chart_sales", { period: "month" }]]);
    expect(await view.getAttribute('button[data-period="month"]', "aria-pressed")).toBe("true");

    if (era === "modern" && process.env.PORTICO_APPS_SCREENSHOT === "1") {
      await view.click('button[data-period="week"]');
      await view.waitForSelector('svg[data-period="week"] rect.bar');
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await tab.screenshot({ path: SCREENSHOT, fullPage: true });
    }
  });

  it("the sandbox holds: the view has an opaque origin, cannot reach the page's DOM, and has no network", async () => {
    expect(await view.evaluate(() => window.origin)).toBe("null");
    const parentDom = await view.evaluate(() => {
      try {
        return String(window.parent.document.title);
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(parentDom).toBe("SecurityError");
    // The host's CSP (no connectDomains declared): connect-src 'none'.
    expect(outcome.csp).toContain("connect-src 'none'");
    const fetched = await view.evaluate(async (url) => {
      try {
        await fetch(url, { method: "POST", body: "{}" });
        return "reached";
      } catch (error) {
        return (error as Error).name;
      }
    }, endpoint);
    expect(fetched).toBe("TypeError");
    // And the page cannot read into the view either (cross-origin frame).
    const fromPage = await tab.evaluate(() => {
      try {
        return String((document.getElementById("app") as HTMLIFrameElement).contentDocument);
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(fromPage).toBe("null");
  });
});
