/**
 * The committed MCP App module (src/ui/chart.html.ts) is what scripts/build-ui.mjs makes of
 * ui/chart.ts and ui/chart.html now: rebuilding gives the identical file. A change to the UI
 * without `npm run build:ui` fails here.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { buildChartModule, OUTPUT } from "../scripts/build-ui.mjs";

it("src/ui/chart.html.ts matches a fresh build of ui/ (run `npm run build:ui` after changing the UI)", async () => {
  const built = await buildChartModule();
  const committed = readFileSync(OUTPUT, "utf8");
  expect(committed.length).toBe(built.length);
  expect(committed === built, "src/ui/chart.html.ts is stale: run npm run build:ui").toBe(true);
}, 60_000);

it("is one self-contained HTML document: inline script and style, nothing fetched", async () => {
  const { default: html } = await import("../src/ui/chart.html.ts");
  expect(html.startsWith("<!doctype html>")).toBe(true);
  expect(html.trimEnd().endsWith("</html>")).toBe(true);
  expect(html.match(/<script\b[^>]*>/g)).toEqual(["<script>"]);
  // No external script, stylesheet or image: the default CSP (no resourceDomains) would block it.
  expect(html).not.toMatch(/<script[^>]+src=|<link\b|<img\b/);
});
