/**
 * The `chart_sales` UI: an MCP App (the `App` class of `@modelcontextprotocol/ext-apps`) that draws
 * the tool's `structuredContent` as an SVG bar chart, and asks the server for another period
 * through the host (`tools/call`) when a period button is clicked. Bundled into one HTML document
 * by scripts/build-ui.mjs; runs in the host's sandboxed iframe under the default CSP (inline
 * script and style, no network).
 */
// The prebundled build: App with its MCP SDK and zod inside, one self-contained script.
import { App } from "@modelcontextprotocol/ext-apps/app-with-deps";
import { PERIODS, type Period, type SalesSeries } from "../src/sales.ts";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 480;
const HEIGHT = 240;
const MARGIN = { top: 28, right: 12, bottom: 28, left: 12 };

const chart = document.getElementById("chart") as HTMLElement;
const status = document.getElementById("status") as HTMLElement;
const buttons = document.getElementById("periods") as HTMLElement;

const app = new App({ name: "portico-sales-chart", version: "0.1.0" });

/** Reads a tool result's series, or `undefined` when it is not one (an error result). */
function seriesOf(result: {
  structuredContent?: unknown;
  isError?: boolean | undefined;
}): SalesSeries | undefined {
  const data = result.structuredContent as Partial<SalesSeries> | undefined;
  if (result.isError || !data || !Array.isArray(data.points)) return undefined;
  return data as SalesSeries;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

function render(series: SalesSeries): void {
  const root = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-label": `Sales per ${series.period === "week" ? "day" : series.period === "month" ? "week" : "month"}, ${series.unit}`,
    "data-period": series.period,
  });
  const max = Math.max(...series.points.map((p) => p.value), 1);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = (WIDTH - MARGIN.left - MARGIN.right) / series.points.length;
  series.points.forEach((point, i) => {
    const height = Math.round((point.value / max) * plotHeight);
    const x = MARGIN.left + i * slot + slot * 0.15;
    const y = MARGIN.top + plotHeight - height;
    const bar = svg("rect", {
      class: "bar",
      x: x.toFixed(1),
      y,
      width: (slot * 0.7).toFixed(1),
      height,
      rx: 3,
      "data-label": point.label,
      "data-value": point.value,
    });
    bar.appendChild(svg("title", {})).textContent = `${point.label}: ${point.value} ${series.unit}`;
    root.appendChild(bar);
    const center = (x + slot * 0.35).toFixed(1);
    root.appendChild(svg("text", { class: "value", x: center, y: y - 6 })).textContent = String(point.value);
    root.appendChild(svg("text", { class: "label", x: center, y: HEIGHT - 8 })).textContent = point.label;
  });
  chart.replaceChildren(root);
  status.textContent = `${series.period}: ${series.total} ${series.unit} in total`;
  for (const button of buttons.querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.dataset.period === series.period));
  }
}

async function show(period: Period): Promise<void> {
  status.textContent = `Loading the ${period}…`;
  try {
    const result = await app.callServerTool({ name: "chart_sales", arguments: { period } });
    const series = seriesOf(result);
    if (series) render(series);
    else status.textContent = "The server could not chart that period.";
  } catch (error) {
    status.textContent = `The host refused the call: ${error instanceof Error ? error.message : String(error)}`;
  }
}

for (const period of PERIODS) {
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.period = period;
  button.textContent = period[0]!.toUpperCase() + period.slice(1);
  button.addEventListener("click", () => void show(period));
  buttons.appendChild(button);
}

// The host sends the result of the call that opened this view; later ones come from show().
app.ontoolresult = (result) => {
  const series = seriesOf(result);
  if (series) render(series);
};

app.connect().catch((error: unknown) => {
  status.textContent = `Could not connect to the host: ${error instanceof Error ? error.message : String(error)}`;
});
