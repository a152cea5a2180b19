/**
 * The Vercel entry (`api/[[...path]].ts`, reached through vercel.json's rewrite) under the real
 * `vercel dev --local` CLI, on 127.0.0.1 and a free port, as a user runs it: no stores or secret
 * handed in (`devStores: false`), so what makes it work is the entry's own `vercelDevDefaults()`.
 * vercel dev runs every request in a fresh function process: on memory stores, the SDK v1 client's
 * second request would get "Session not found" and a book POSTed to /books would be gone at the
 * next GET. The books and the sessions outlive a request here because they live in the dev daemon
 * that the first function process starts (`.vercel/portico-dev.json`). The workspace packages load
 * from their TypeScript sources (`--conditions=@portico/source`): no build needed.
 */
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startVercelDev, type VercelDev } from "@portico/adapter-vercel/dev";
import { modernPost } from "@portico/test-kit";
import { sendAs } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { booksScenario } from "./_scenario.ts";

const project = join(dirname(fileURLToPath(import.meta.url)), "..");
const dotVercel = join(project, ".vercel");

/** The Vercel CLI: @portico/adapter-vercel's dev dependency (this example does not install one). */
function vercelCli(): string {
  const adapter = join(project, "node_modules", "@portico", "adapter-vercel", "package.json");
  const manifest = createRequire(adapter).resolve("vercel/package.json");
  return join(
    dirname(manifest),
    (createRequire(import.meta.url)(manifest) as { bin: { vercel: string } }).bin.vercel,
  );
}

let dev: VercelDev | undefined;
/** Whether `.vercel/` (vercel dev's caches, the daemon's file) was there before: if not, it goes again. */
let hadDotVercel = true;

beforeAll(async () => {
  // A linked project makes `vercel dev --local` call Vercel's API, which this test must not.
  if (existsSync(join(dotVercel, "project.json"))) {
    throw new Error(`${dotVercel}/project.json exists: vercel dev --local would contact Vercel; remove it`);
  }
  hadDotVercel = existsSync(dotVercel);
  dev = await startVercelDev({
    cwd: project,
    cli: vercelCli(),
    // As a plain `vercel dev`: the functions start the dev daemon themselves; stop() ends it too.
    devStores: false,
    env: { NODE_OPTIONS: "--conditions=@portico/source" },
  });
}, 90_000);

afterAll(async () => {
  await dev?.stop();
  if (!hadDotVercel) rmSync(dotVercel, { recursive: true, force: true });
}, 30_000);

// Each request compiles and loads the function in a new process (about 1.5-2 s here).
describe("the Vercel entry under vercel dev --local", { timeout: 180_000 }, () => {
  it("serves the Books API and its MCP face, one shelf across fresh processes", async () => {
    await booksScenario(new URL((dev as VercelDev).url));
    // The shared shelf and sessions were the dev daemon's: the first function process started it.
    expect(existsSync(join(dotVercel, "portico-dev.json"))).toBe(true);
  });

  it("refuses a foreign Host or Origin at /mcp with 403 (DNS rebinding); the localhost Host works", async () => {
    const url = (dev as VercelDev).url;
    const { port } = new URL(url);
    const listTools = () => modernPost(`${url}/mcp`, "tools/list");
    const evil = `evil.example.com:${port}`;
    for (const browserOrigin of [undefined, `http://${evil}`]) {
      const refused = await sendAs(url, listTools(), evil, browserOrigin);
      expect(refused.status, `Origin ${browserOrigin}`).toBe(403);
      expect(refused.body).toContain(evil);
      expect(refused.body).toContain("allowedHosts");
    }
    const foreignPage = await sendAs(url, listTools(), `localhost:${port}`, "https://evil.example.com");
    expect(foreignPage.status).toBe(403);
    const local = await sendAs(url, listTools(), `localhost:${port}`);
    expect(local.status).toBe(200);
    expect(local.body).toContain("addBook");
  });
});
