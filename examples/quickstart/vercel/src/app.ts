/**
 * The quickstart's MCP server with the deployment's configuration, read from the environment:
 * `REQUEST_STATE_SECRET` (required on Vercel), `ALLOWED_HOSTS`, `ALLOWED_ORIGINS`, and the stores.
 */
import { createHandler, type McpHandler } from "@portico/core";
import { createQuickstartServer } from "../../src/tools.ts";
import { type Env, storesFrom } from "./stores.ts";

/** The comma-separated entries of `value`, or `undefined` when it has none. */
function entries(value: string | undefined): string[] | undefined {
  const items = value?.split(",").flatMap((item) => item.trim() || []);
  return items?.length ? items : undefined;
}

export function createApp(env: Env): McpHandler {
  const secret = env.REQUEST_STATE_SECRET;
  // VERCEL_ENV is "production" or "preview" on Vercel: there, every instance needs the same key.
  if (!secret && (env.VERCEL_ENV === "production" || env.VERCEL_ENV === "preview")) {
    throw new Error("REQUEST_STATE_SECRET is not set: add it in the project's environment variables");
  }
  const stores = storesFrom(env);
  return createHandler(createQuickstartServer(), {
    ...(secret ? { secret } : {}),
    ...(stores ? { stores } : {}),
    // None needed on Vercel: deployed, the adapter passes the Host Vercel routed by (the
    // deployment's *.vercel.app URLs, the project's domains) to the core. ALLOWED_HOSTS is for
    // names served elsewhere; under vercel dev only localhost names pass (DNS-rebinding protection).
    allowedHosts: entries(env.ALLOWED_HOSTS) ?? [],
    allowedOrigins: entries(env.ALLOWED_ORIGINS) ?? [],
  });
}
