/**
 * `handle(app)`: a Portico handler (or any Web Fetch app) as a Cloudflare module worker's default
 * export. Requests and responses are already Fetch objects on Workers, so the adapter only hands
 * the app the Worker's `env` and an execution context built from the Worker's `ctx`.
 */

import type { AuthInfo, ExecutionContextLike, FetchApp } from "@portico/host";
import { consoleErrorReporter, guardedWaitUntil, hostErrorResponse } from "@portico/host";
import { appsByEnv } from "./_apps.ts";

/** Options of {@link handle}. */
export interface WorkersHandlerOptions<Env> {
  /**
   * Who is calling, as the Worker knows it — for instance from `ctx.props`, which
   * `@cloudflare/workers-oauth-provider` fills after it validated the token. Becomes the tool
   * context's `auth` (the core's `authenticate` option can still override it). If it throws, the
   * request gets the host's 500, as when the app throws.
   */
  authInfo?: (request: Request, env: Env, ctx: ExecutionContext) => AuthInfo | undefined;
  /**
   * Told about errors the app throws (the client gets the host's 500 without detail). Default: one
   * `console.error` line tagged `[@portico/adapter-workers]`.
   */
  onError?: (error: unknown) => void;
}

/** A module worker's default export, as `handle` returns it. */
export interface WorkerHandler<Env> {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
}

/** The suffix of the hosts Cloudflare gives deployed Workers (`<worker>.<account>.workers.dev`). */
const WORKERS_DEV = ".workers.dev";

/**
 * The request's host when it is a `*.workers.dev` name. Cloudflare routes such a request to the
 * Worker by that host, and nobody else controls workers.dev DNS, so no page can make one resolve to
 * a local `wrangler dev` (DNS rebinding). Custom domains and routes go to `allowedHosts`.
 */
export function workersDevHost(url: string): string | undefined {
  // `scheme://host[:port]/…`: the authority, without parsing the whole URL on every request.
  const start = url.indexOf("//") + 2;
  if (start < 2) return undefined;
  let end = url.indexOf("/", start);
  if (end === -1) end = url.length;
  const host = url.slice(start, end).toLowerCase();
  const colon = host.lastIndexOf(":");
  const name = colon === -1 || host.endsWith("]") ? host : host.slice(0, colon);
  if (!name.endsWith(WORKERS_DEV) || name.length === WORKERS_DEV.length) return undefined;
  return /^[a-z0-9.-]+(?::\d{1,5})?$/.test(host) ? host : undefined;
}

/**
 * The caller's address: `CF-Connecting-IP`, which "provides the client IP address connecting to
 * Cloudflare" (Cloudflare HTTP headers,
 * https://developers.cloudflare.com/fundamentals/reference/http-headers/): Cloudflare's edge fills
 * it from the connection it received, and request header transform rules cannot set it (only
 * remove it). Per the same page, a subrequest from another Worker of the zone carries that Worker's
 * `x-real-ip` there (the zone's own code), one from another zone's Worker the fixed
 * `2a06:98c0:3600::103`. Under `wrangler dev` it is the local client's own header when it sends one
 * (Miniflare adds it only when absent), like any header there.
 */
function connectingIp(request: Request): string | undefined {
  const value = request.headers.get("cf-connecting-ip")?.trim();
  return value === undefined || value === "" || value.length > 100 ? undefined : value;
}

/**
 * The module worker for `app`: `export default handle(app)`, with the app built at module scope
 * (`handle(createHandler(server))`), or a factory `(env) => app` to build it from the Worker's
 * bindings (Durable Object stores, secrets): the factory runs on the first request of each
 * isolate, since `env` arrives with the request, and its app serves every later request.
 * The app's `ctx` has `multiInstance: true` (Cloudflare runs many isolates), `clientAddress`
 * (`CF-Connecting-IP`), `requestId` (`CF-Ray`) and, for a `*.workers.dev` host, `routedHosts` with it.
 */
export function handle<Env = unknown>(
  app: FetchApp | ((env: Env) => FetchApp),
  options: WorkersHandlerOptions<Env> = {},
): WorkerHandler<Env> {
  const onError = options.onError ?? consoleErrorReporter("@portico/adapter-workers");
  const appFor = appsByEnv(app);
  return {
    async fetch(request, env, ctx) {
      const host: ExecutionContextLike = {
        // Guarded as on every host: a rejection goes to `onError`, never unhandled.
        waitUntil: guardedWaitUntil((guarded) => ctx.waitUntil(guarded), onError),
        multiInstance: true,
      };
      const routed = workersDevHost(request.url);
      if (routed !== undefined) host.routedHosts = [routed];
      const address = connectingIp(request);
      if (address !== undefined) host.clientAddress = address;
      const ray = request.headers.get("cf-ray");
      if (ray !== null) host.requestId = ray;
      try {
        // In here too: whatever escapes becomes Cloudflare's error page, not the host's 500.
        const auth = options.authInfo?.(request, env, ctx);
        if (auth !== undefined) host.authInfo = auth;
        return await appFor(env).fetch(request, env, host);
      } catch (error) {
        onError(error);
        return hostErrorResponse(500);
      }
    },
  };
}
