/**
 * The docs site, built and read in a real browser: runs the docs build (TypeDoc, then
 * `vitepress build`, which fails on dead links), serves `.vitepress/dist` on 127.0.0.1 with a tiny
 * static server, and visits every built page in headless Chromium (Debian's, driven by
 * playwright-core with the launch flags of test/browser): each answers 200, renders a non-empty
 * `h1` and logs no console error, and every internal link on it resolves (GET 200, and its
 * `#fragment` names an element of the target page). Screenshots of the home page and a guide go
 * to `.vitepress/dist/screenshots/`.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The same Chromium, with the same launch flags, as the CORS tests in test/browser.
import { CHROMIUM, launchChromium } from "../../test/browser/src/chromium.ts";

const DOCS = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(DOCS, ".vitepress", "dist");
const SCREENSHOTS = join(DIST, "screenshots");
/** The whole build (TypeDoc + VitePress) must finish within this on the 2-core CI machine. */
const BUILD_TIMEOUT_MS = 240_000;
/** Pages visited side by side. */
const TABS = 3;

/** Runs `node <args>` in docs/ with the test's own Node; rejects on a non-zero exit or the timeout. */
function runNode(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: DOCS,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`node ${args.join(" ")} did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`node ${args.join(" ")} exited with ${code}:\n${output}`));
    });
  });
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** The file a URL path names in `root` (`/x/` → `x/index.html`), or undefined outside it. */
function fileOf(root: string, pathname: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (path.endsWith("/")) path += "index.html";
  const file = normalize(join(root, path));
  return file === root || file.startsWith(root + sep) ? file : undefined;
}

/** A tiny static file server for the built site (GET and HEAD; 404 for anything missing). */
async function serveStatic(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (request, response) => {
    const { pathname } = new URL(request.url ?? "/", "http://localhost");
    const file = fileOf(root, pathname);
    const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
    if (file === undefined || info === undefined || !info.isFile()) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const body = await readFile(file);
    response.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": body.byteLength,
    });
    response.end(request.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

/** Every built HTML page, as a URL path (`/guide/node.html`), except the 404 page. */
function builtPages(root: string): string[] {
  const pages: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".html") && path !== join(root, "404.html")) {
        pages.push(`/${relative(root, path).split(sep).join("/")}`);
      }
    }
  };
  walk(root);
  return pages.sort();
}

/** The ids of the elements of a built page (what a `#fragment` may name). */
const idsOf = new Map<string, Set<string>>();
function pageIds(file: string): Set<string> {
  let ids = idsOf.get(file);
  if (ids === undefined) {
    ids = new Set([...readFileSync(file, "utf8").matchAll(/\sid="([^"]*)"/g)].map((m) => m[1] ?? ""));
    idsOf.set(file, ids);
  }
  return ids;
}

/** The PNG's width and height, read from its IHDR chunk (after checking the signature). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(0, 8).equals(signature)).toBe(true);
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

interface PageReport {
  path: string;
  status: number | undefined;
  h1: string;
  consoleErrors: string[];
  links: string[];
}

describe("the docs site", () => {
  let site: { url: string; server: Server } | undefined;
  let browser: Browser | undefined;
  let pages: string[] = [];
  const reports: PageReport[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing (${CHROMIUM}): the docs test drives Debian's chromium with playwright-core. ` +
          "Install it with `sh scripts/ensure-chromium.sh` from the repository root (npm test and CI do).",
      );
    }
    const started = Date.now();
    await runNode(["scripts/api.mjs"], BUILD_TIMEOUT_MS);
    const vitepress = join(DOCS, "node_modules", "vitepress", "bin", "vitepress.js");
    await runNode([vitepress, "build"], BUILD_TIMEOUT_MS - (Date.now() - started));
    console.log(`docs build (TypeDoc + VitePress): ${((Date.now() - started) / 1000).toFixed(1)} s`);
    pages = builtPages(DIST);
    site = await serveStatic(DIST);
    browser = await launchChromium();
  }, BUILD_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await browser?.close();
    if (site !== undefined) {
      const { server } = site;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("builds every guide page and an API reference page per publishable package", () => {
    for (const page of [
      "/index.html",
      "/guide/index.html",
      "/guide/node.html",
      "/guide/lambda.html",
      "/guide/vercel.html",
      "/guide/workers.html",
      "/guide/bun.html",
      "/server/index.html",
      "/server/tools.html",
      "/server/resources.html",
      "/server/prompts.html",
      "/server/context.html",
      "/server/middleware.html",
      "/protocol/index.html",
      "/protocol/modern.html",
      "/protocol/legacy.html",
      "/protocol/wire.html",
      "/stores/index.html",
      "/deploy/sam.html",
      "/deploy/cdk.html",
      "/deploy/wrangler.html",
      "/deploy/vercel.html",
      "/guides/auth.html",
      "/guides/operations.html",
      "/guides/troubleshooting.html",
      "/api/index.html",
    ]) {
      expect(pages).toContain(page);
    }
    // One module page per publishable package with a library entry (found the way scripts/api.mjs does).
    const root = join(DOCS, "..", "packages");
    const publishable = readdirSync(root).filter((dir) => {
      const manifest = join(root, dir, "package.json");
      if (!existsSync(manifest) || !existsSync(join(root, dir, "src", "index.ts"))) return false;
      const pkg = JSON.parse(readFileSync(manifest, "utf8"));
      return pkg.private !== true && pkg.name !== "@portico/test-kit" && pkg.exports?.["."] !== undefined;
    });
    expect(publishable).toContain("core");
    for (const dir of publishable) {
      const name = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")).name as string;
      expect(pages).toContain(`/api/${name}.html`);
    }
    expect(pages.some((page) => page.startsWith("/api/@portico/test-kit"))).toBe(false);
    console.log(`docs site: ${pages.length} pages`);
  });

  it("serves every page with a main heading, no console errors, and only links that resolve", async () => {
    const origin = site!.url;
    const queue = [...pages];
    const visit = async (): Promise<void> => {
      const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        const page = await context.newPage();
        let errors: string[] = [];
        page.on("console", (message) => {
          if (message.type() === "error") errors.push(message.text());
        });
        page.on("pageerror", (error) => errors.push(String(error)));
        // Name what failed to load (the console only says "Failed to load resource").
        page.on("response", (response) => {
          if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
        });
        for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
          errors = [];
          const response = await page.goto(origin + path, { waitUntil: "load", timeout: 30_000 });
          const h1 = ((await page.locator("h1").first().textContent({ timeout: 10_000 })) ?? "").trim();
          const links = await page.$$eval("a[href]", (anchors) =>
            anchors.map((a) => (a as HTMLAnchorElement).href),
          );
          reports.push({ path, status: response?.status(), h1, consoleErrors: errors, links });
        }
      } finally {
        await context.close();
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: TABS }, visit));
    console.log(
      `docs site: ${reports.length} pages visited in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    expect(reports.length).toBe(pages.length);
    const bad = reports.filter((r) => r.status !== 200 || r.h1 === "" || r.consoleErrors.length > 0);
    expect(bad.map(({ path, status, h1, consoleErrors }) => ({ path, status, h1, consoleErrors }))).toEqual(
      [],
    );

    // Every internal link, once: GET 200 from the static server, and its fragment names an element.
    const internal = new Map<string, string>(); // link → a page that has it
    for (const report of reports) {
      for (const link of report.links) {
        if (link.startsWith(`${origin}/`) && !internal.has(link)) internal.set(link, report.path);
      }
    }
    expect(internal.size).toBeGreaterThan(pages.length);
    const broken: string[] = [];
    const statusOf = new Map<string, number>();
    for (const [link, from] of internal) {
      const url = new URL(link);
      const target = url.pathname;
      let status = statusOf.get(target);
      if (status === undefined) {
        status = (await fetch(`${origin}${target}`)).status;
        statusOf.set(target, status);
      }
      if (status !== 200) {
        broken.push(`${link} (on ${from}): ${status}`);
        continue;
      }
      const fragment = decodeURIComponent(url.hash.slice(1));
      const file = fileOf(DIST, target);
      if (fragment !== "" && file !== undefined && file.endsWith(".html") && !pageIds(file).has(fragment)) {
        broken.push(`${link} (on ${from}): no element with id "${fragment}"`);
      }
    }
    expect(broken).toEqual([]);
    console.log(`docs site: ${internal.size} internal links checked (${statusOf.size} distinct targets)`);
  }, 240_000);

  it("saves screenshots of the home page and a guide", async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      for (const [path, name] of [
        ["/", "home.png"],
        ["/guide/lambda.html", "guide-lambda.png"],
      ] as const) {
        await page.goto(site!.url + path, { waitUntil: "load" });
        await page.locator("h1").first().waitFor();
        await page.screenshot({ path: join(SCREENSHOTS, name) });
        const bytes = await readFile(join(SCREENSHOTS, name));
        const { width, height } = pngSize(bytes);
        expect(width).toBe(1280);
        expect(height).toBe(900);
        expect(bytes.byteLength).toBeGreaterThan(20_000); // a rendered page, not a blank frame
      }
    } finally {
      await context.close();
    }
  }, 60_000);
});
