/**
 * Serves the test host page (host.ts bundled by esbuild, inlined) from `node:http` on 127.0.0.1:0.
 * The browser reaches it as `http://host.test:<port>/`: an origin of its own.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export interface HostPage {
  /** The port it listens on. */
  port: number;
  close(): Promise<void>;
}

async function hostScript(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./host.ts", import.meta.url))],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  return (result.outputFiles[0]?.text ?? "").replace(/<\/script/gi, "<\\/script");
}

export async function serveHostPage(): Promise<HostPage> {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portico · MCP Apps test host</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 24px; background: #f6f8fa; color: #1f2328; }
  header { font-size: 14px; color: #59636e; margin-bottom: 12px; }
  .turn { background: #fff; border: 1px solid #d0d7de; border-radius: 10px; padding: 16px; max-width: 560px; }
  .turn p { margin: 0 0 10px; font-size: 14px; }
  iframe { border: 0; width: 100%; height: 330px; display: block; }
</style></head>
<body>
  <header>MCP Apps test host · <code>http://host.test</code> → Portico at <code>http://mcp.test/mcp</code></header>
  <div class="turn"><p>Tool call: <code>chart_sales</code></p><div id="frame"></div></div>
  <script>${await hostScript()}</script>
</body></html>`;
  const server: Server = createServer((req, res) => {
    if (req.url !== "/") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
