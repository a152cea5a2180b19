import { existsSync, readFileSync } from "node:fs";
import { type DefaultTheme, defineConfig } from "vitepress";

/** The API reference's sidebar, written by `scripts/api.mjs` (TypeDoc); empty before it ran. */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  const file = new URL("../api/typedoc-sidebar.json", import.meta.url);
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, "utf8")) as DefaultTheme.SidebarItem[];
}

const guide: DefaultTheme.SidebarItem[] = [
  {
    text: "Getting started",
    items: [
      { text: "Overview", link: "/guide/" },
      { text: "Create a project", link: "/guide/create" },
      { text: "Node.js", link: "/guide/node" },
      { text: "AWS Lambda", link: "/guide/lambda" },
      { text: "Vercel", link: "/guide/vercel" },
      { text: "Cloudflare Workers", link: "/guide/workers" },
      { text: "Bun", link: "/guide/bun" },
    ],
  },
  {
    text: "Local development",
    items: [
      { text: "The portico CLI", link: "/guide/cli" },
      { text: "stdio clients (Claude Desktop, Cursor)", link: "/guide/stdio" },
    ],
  },
  {
    text: "Defining a server",
    items: [
      { text: "Server and handler", link: "/server/" },
      { text: "Tools", link: "/server/tools" },
      { text: "Resources", link: "/server/resources" },
      { text: "Prompts and completions", link: "/server/prompts" },
      { text: "The handler context", link: "/server/context" },
      { text: "Middleware and custom methods", link: "/server/middleware" },
      { text: "Composition: tags and mounting", link: "/server/composition" },
      { text: "Tasks (long-running tools)", link: "/server/tasks" },
    ],
  },
  {
    text: "Protocol",
    items: [
      { text: "Two eras, one endpoint", link: "/protocol/" },
      { text: "Modern era (2026-07-28)", link: "/protocol/modern" },
      { text: "Legacy era (2024-11-05 … 2025-11-25)", link: "/protocol/legacy" },
      { text: "Wire reference", link: "/protocol/wire" },
    ],
  },
  {
    text: "Stores",
    items: [{ text: "Stores", link: "/stores/" }],
  },
  {
    text: "Deploy",
    items: [
      { text: "AWS SAM", link: "/deploy/sam" },
      { text: "AWS CDK", link: "/deploy/cdk" },
      { text: "Cloudflare (wrangler)", link: "/deploy/wrangler" },
      { text: "Vercel", link: "/deploy/vercel" },
    ],
  },
  {
    text: "Running it",
    items: [
      { text: "Authentication", link: "/guides/auth" },
      { text: "Operations", link: "/guides/operations" },
      { text: "Guarding side effects", link: "/guides/governance" },
      { text: "From an HTTP API (OpenAPI, Hono)", link: "/guides/openapi" },
      { text: "Interactive UIs (MCP Apps)", link: "/guides/apps" },
      { text: "Skills", link: "/guides/skills" },
      { text: "Troubleshooting", link: "/guides/troubleshooting" },
    ],
  },
];

export default defineConfig({
  title: "Portico",
  description:
    "MCP servers on any serverless runtime: one protocol core over Web Fetch, thin adapters, durable stores.",
  lang: "en-US",
  cleanUrls: false,
  // Vite's dependency cache stays out of the source tree (and out of Biome's and git's sight).
  cacheDir: "node_modules/.cache/vitepress",
  srcExclude: ["README.md"],
  lastUpdated: false,
  head: [["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }]],
  // The API reference's biggest package pages make chunks over Vite's default 500 kB warning.
  vite: { build: { chunkSizeWarningLimit: 2000 } },
  themeConfig: {
    logo: "/favicon.svg",
    nav: [
      { text: "Guide", link: "/guide/", activeMatch: "^/(guide|server|protocol|stores|deploy|guides)/" },
      {
        text: "Tooling",
        items: [
          { text: "Create a project", link: "/guide/create" },
          { text: "The portico CLI", link: "/guide/cli" },
          { text: "stdio clients", link: "/guide/stdio" },
        ],
      },
      { text: "API reference", link: "/api/", activeMatch: "^/api/" },
    ],
    sidebar: {
      "/api/": [{ text: "API reference", link: "/api/" }, ...apiSidebar()],
      "/": guide,
    },
    search: { provider: "local" },
    outline: { level: [2, 3] },
    footer: { message: "MIT licensed." },
  },
});
