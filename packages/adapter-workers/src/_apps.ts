import type { FetchApp } from "@portico/host";

/**
 * The app for a Worker's (or a Durable Object's) `env`: `app` itself, or `app(env)` built once per
 * `env` object (the bindings arrive with the first event of an isolate, not at module scope).
 */
export function appsByEnv<Env>(app: FetchApp | ((env: Env) => FetchApp)): (env: Env) => FetchApp {
  const apps = new WeakMap<object, FetchApp>();
  let single: FetchApp | undefined;
  return (env) => {
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
}
