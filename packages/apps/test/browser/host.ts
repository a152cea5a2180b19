/**
 * A minimal MCP Apps host, as a web page runs it (bundled by esbuild for the browser test): the v2
 * SDK `Client` connects to the MCP server over HTTP, finds the tool's `ui://` resource, reads it,
 * renders the HTML in a sandboxed iframe (`sandbox="allow-scripts"`, `srcdoc`, so the view has an
 * opaque origin of its own) under a CSP the host builds from the resource's `_meta.ui.csp`, and
 * bridges the iframe's postMessage JSON-RPC to the server with `AppBridge`.
 */
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  AppBridge,
  getToolUiResourceUri,
  PostMessageTransport,
} from "@modelcontextprotocol/ext-apps/app-bridge";

const MIME = "text/html;profile=mcp-app";
const INFO = { name: "portico-test-host", version: "1.0.0" };

interface Csp {
  connectDomains?: string[];
  resourceDomains?: string[];
  frameDomains?: string[];
  baseUriDomains?: string[];
}

/** The view's CSP: the spec's restrictive default, widened only by the declared origins. */
export function cspFor(csp: Csp = {}): string {
  const list = (origins: string[] | undefined, fallback: string) =>
    origins && origins.length > 0 ? origins.join(" ") : fallback;
  const resources = (csp.resourceDomains ?? []).join(" ");
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-inline' ${resources}`.trim(),
    `style-src 'self' 'unsafe-inline' ${resources}`.trim(),
    `img-src 'self' data: ${resources}`.trim(),
    `font-src 'self' ${resources}`.trim(),
    `media-src 'self' data: ${resources}`.trim(),
    `connect-src ${list(csp.connectDomains, "'none'")}`,
    `frame-src ${list(csp.frameDomains, "'none'")}`,
    `base-uri ${list(csp.baseUriDomains, "'self'")}`,
    "object-src 'none'",
  ].join("; ");
}

function withCsp(html: string, policy: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy.replace(/"/g, "&quot;")}">`;
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => `${head}${meta}`) : meta + html;
}

export interface RunArgs {
  endpoint: string;
  era: "modern" | "legacy";
  tool: string;
  arguments: Record<string, unknown>;
}

export interface RunResult {
  era: string | undefined;
  resourceUri: string;
  mimeType: string | undefined;
  csp: string;
  structuredContent: unknown;
}

async function run(args: RunArgs): Promise<RunResult> {
  const client = new Client(INFO, {
    capabilities: { extensions: { "io.modelcontextprotocol/ui": { mimeTypes: [MIME] } } },
    versionNegotiation: args.era === "modern" ? { mode: { pin: "2026-07-28" } } : { mode: "legacy" },
  } as ConstructorParameters<typeof Client>[1]);
  await client.connect(new StreamableHTTPClientTransport(new URL(args.endpoint)));
  const { tools } = await client.listTools();
  const tool = tools.find((t) => t.name === args.tool);
  const resourceUri = tool && getToolUiResourceUri(tool);
  if (!tool || !resourceUri) throw new Error(`tool ${args.tool} has no UI`);
  const read = await client.readResource({ uri: resourceUri });
  const content = read.contents[0] as { text?: string; mimeType?: string; _meta?: { ui?: { csp?: Csp } } };
  if (typeof content?.text !== "string" || content.mimeType !== MIME)
    throw new Error("not an MCP App resource");
  const policy = cspFor(content._meta?.ui?.csp);

  const iframe = document.createElement("iframe");
  iframe.id = "app";
  iframe.title = "MCP App";
  // Scripts only: no allow-same-origin, so the view's origin is opaque (not the page's).
  iframe.setAttribute("sandbox", "allow-scripts");
  document.getElementById("frame")?.appendChild(iframe);
  const bridge = new AppBridge(
    client,
    INFO,
    { serverTools: {}, serverResources: {}, logging: {} },
    {
      hostContext: { theme: "light", platform: "web", displayMode: "inline" },
    },
  );
  bridge.onsizechange = ({ height }) => {
    if (height != null) iframe.style.height = `${height}px`;
  };
  const initialized = new Promise<void>((resolve) => {
    bridge.oninitialized = () => resolve();
  });
  // The bridge listens before the view loads (the iframe's WindowProxy stays the same).
  const view = iframe.contentWindow as Window;
  await bridge.connect(new PostMessageTransport(view, view));
  iframe.srcdoc = withCsp(content.text, policy);
  await initialized;
  const result = await client.callTool({ name: tool.name, arguments: args.arguments });
  await bridge.sendToolInput({ arguments: args.arguments });
  await bridge.sendToolResult(result as Parameters<AppBridge["sendToolResult"]>[0]);
  (window as unknown as { bridge: AppBridge }).bridge = bridge;
  return {
    era: client.getProtocolEra(),
    resourceUri,
    mimeType: content.mimeType,
    csp: policy,
    structuredContent: result.structuredContent,
  };
}

(window as unknown as { host: { run: typeof run } }).host = { run };
