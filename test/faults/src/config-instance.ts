/**
 * One instance of the config-registry scenario (`test/config-registry.test.ts`): a Portico server
 * on adapter-node over the chosen store (see `connect-store.ts`) whose tools, resources and prompts
 * come from `@portico/config`'s `storeRegistry`, run as its own process, printing `{"url"}` first.
 *
 * Admin endpoints (a test stand-in for an operator's console; no authentication):
 * - `POST /__config/put` `{kind, def}` → `put(kind, def)`; 400 `{error}` when invalid;
 * - `POST /__config/remove` `{kind, name}` → `{removed}`;
 * - `GET /__config/current` → the document this instance serves.
 */
import { type FetchApp, serve } from "@portico/adapter-node";
import { storeRegistry } from "@portico/config";
import { createHandler, McpServer, memoryStores } from "@portico/core";
import { connectStores } from "./connect-store.ts";

const env = process.env;
const NAME = env.FAULTS_NAME ?? `config-${process.pid}`;

const report = (error: unknown, where: string) =>
  process.stderr.write(`[${NAME}] ${where}: ${String(error)}\n`);
const connected = await connectStores(env, report);
const stores = connected.stores ?? memoryStores();

const server = new McpServer({ name: "config-instance", version: "1.0.0" });
const registry = await storeRegistry(server, {
  stores,
  name: env.CONFIG_REGISTRY ?? "faults",
  refreshMs: Number(env.CONFIG_REFRESH_MS ?? 30_000),
  env: { INSTANCE_NAME: NAME },
  onError: (error) => report(error, "config registry"),
});

const mcp = createHandler(server, {
  stores,
  secret: "portico-config-scenario-shared-secret-32+bytes",
  onError: report,
});

async function admin(request: Request, path: string): Promise<Response> {
  if (path === "/__config/current") return Response.json(registry.current());
  const body = (await request.json()) as {
    kind: "tools" | "resources" | "prompts";
    def?: never;
    name?: string;
  };
  try {
    if (path === "/__config/put") {
      await registry.put(body.kind, body.def as never);
      return Response.json({ ok: true, instance: NAME });
    }
    if (path === "/__config/remove")
      return Response.json({ removed: await registry.remove(body.kind, body.name ?? ""), instance: NAME });
  } catch (error) {
    return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 400 });
  }
  return new Response("not found", { status: 404 });
}

const app: FetchApp = {
  fetch(request, appEnv, ctx) {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/__config/")) return admin(request, path);
    return mcp.fetch(request, appEnv, ctx);
  },
};
const http = await serve(app, { port: 0, hostname: "127.0.0.1", handleSignals: true });
process.stdout.write(`${JSON.stringify({ url: `${http.url}/mcp`, pid: process.pid })}\n`);
process.once("SIGTERM", () => {
  void registry
    .close()
    .then(() => http.close())
    .then(() => connected.close())
    .then(() => process.exit(0));
});
