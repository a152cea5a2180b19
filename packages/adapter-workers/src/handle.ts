/**
 * `handle(app)`: a Portico handler (or any Web Fetch app) as a Cloudflare module worker's default
 * export. Requests and responses are already Fetch objects on Workers, so the adapter only hands
 * the app the Worker's `env` and an execution context built from the Worker's `ctx`.
 */

import type { AuthInfo, ExecutionContextLike, FetchApp } from "@portico/host";
import { consoleErrorReporter, hostErrorResponse } from "@portico/host";

/** Options of {@link handle}. */
export interface WorkersHandlerOptions<Env> {
  /**
   * Who is calling, as the Worker knows it — for instance from `ctx.props`, which
   * `@cloudflare/workers-oauth-provider` fills after it validated the token. Becomes the tool
   * context's `auth` (the core's `authenticate` option can still override it).
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

/**
 * The module worker for `app`: `export default handle(app)`. Pass a factory `(env) => app` to build
 * the app from the Worker's bindings (Durable Object stores, secrets); it runs on the first request
 * of each isolate — Workers forbid random values and I/O at module scope, and `env` arrives with the
 * request — and its app serves every later request.
 */
export function handle<Env = unknown>(
  app: FetchApp | ((env: Env) => FetchApp),
  options: WorkersHandlerOptions<Env> = {},
): WorkerHandler<Env> {
  const onError = options.onError ?? consoleErrorReporter("@portico/adapter-workers");
  const apps = new WeakMap<object, FetchApp>();
  let single: FetchApp | undefined;
  const appFor = (env: Env): FetchApp => {
    if (typeof app !== "function") return app;
    if (typeof env !== "object" || env === null) {
      single ??= app(env);
      return single;
    }
    let built = apps.get(env);
    if (built === undefined) {
      built = app(env);
      apps.set(env, built);
    }
    return built;
  };
  return {
    async fetch(request, env, ctx) {
      const host: ExecutionContextLike = { waitUntil: (promise) => ctx.waitUntil(promise) };
      const ray = request.headers.get("cf-ray");
      if (ray !== null) host.requestId = ray;
      const auth = options.authInfo?.(request, env, ctx);
      if (auth !== undefined) host.authInfo = auth;
      try {
        return await appFor(env).fetch(request, env, host);
      } catch (error) {
        onError(error);
        return hostErrorResponse(500);
      }
    },
  };
}
