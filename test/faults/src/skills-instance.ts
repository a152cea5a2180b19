/**
 * One instance of the skills-store scenario (`test/skills-store.test.ts`): a Portico server on
 * adapter-node over the chosen store (see `connect-store.ts`) whose skills come from
 * `@portico/skills`' `storeSkills`, run as its own process, printing `{"url"}` first.
 *
 * Admin endpoints (a test stand-in for an operator's console; no authentication):
 * - `POST /__skills/put` `{path, files}` (each file `{text}` or `{base64}`) → `put(skill)`;
 *   400 `{error, code, type}` when refused (`type`: the store's error type, e.g. DynamoDB's
 *   `ValidationException`);
 * - `POST /__skills/remove` `{path}` → `{removed}`;
 * - `GET /__skills/paths` → the paths this instance serves from the store.
 */
import { type FetchApp, serve } from "@portico/adapter-node";
import { createHandler, McpServer, memoryStores } from "@portico/core";
import { storeSkills } from "@portico/skills";
import { connectStores } from "./connect-store.ts";

const env = process.env;
const NAME = env.FAULTS_NAME ?? `skills-${process.pid}`;

const report = (error: unknown, where: string) =>
  process.stderr.write(`[${NAME}] ${where}: ${String(error)}\n`);
const connected = await connectStores(env, report);
const stores = connected.stores ?? memoryStores();

const server = new McpServer({ name: "skills-instance", version: "1.0.0" });
const skills = await storeSkills(server, {
  stores,
  name: env.SKILLS_REGISTRY ?? "faults",
  refreshMs: Number(env.SKILLS_REFRESH_MS ?? 30_000),
  onError: (error) => report(error, "skills store"),
});

const mcp = createHandler(server, {
  stores,
  secret: "portico-skills-scenario-shared-secret-32+bytes",
  onError: report,
});

type WireFile = { text: string } | { base64: string };

async function admin(request: Request, path: string): Promise<Response> {
  if (path === "/__skills/paths") return Response.json({ paths: skills.paths(), instance: NAME });
  const body = (await request.json()) as { path: string; files?: Record<string, WireFile> };
  try {
    if (path === "/__skills/put") {
      const files: Record<string, string | Uint8Array> = {};
      for (const [name, file] of Object.entries(body.files ?? {})) {
        files[name] = "text" in file ? file.text : new Uint8Array(Buffer.from(file.base64, "base64"));
      }
      await skills.put({ path: body.path, files });
      return Response.json({ ok: true, instance: NAME });
    }
    if (path === "/__skills/remove")
      return Response.json({ removed: await skills.remove(body.path), instance: NAME });
  } catch (error) {
    const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { type?: unknown } };
    const type = cause?.type;
    return Response.json(
      { error: error instanceof Error ? error.message : String(error), code, type, instance: NAME },
      { status: 400 },
    );
  }
  return new Response("not found", { status: 404 });
}

const app: FetchApp = {
  fetch(request, appEnv, ctx) {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/__skills/")) return admin(request, path);
    return mcp.fetch(request, appEnv, ctx);
  },
};
const http = await serve(app, { port: 0, hostname: "127.0.0.1", handleSignals: true });
process.stdout.write(`${JSON.stringify({ url: `${http.url}/mcp`, pid: process.pid })}\n`);
process.once("SIGTERM", () => {
  void skills
    .close()
    .then(() => http.close())
    .then(() => connected.close())
    .then(() => process.exit(0));
});
