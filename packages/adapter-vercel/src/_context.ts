import { consoleErrorReporter, type ExecutionContextLike, guardedWaitUntil } from "@portico/host";
import type { VercelContextLike } from "./_types.ts";

/** Where Vercel's runtime publishes the current request's context (read by `@vercel/functions`). */
const REQUEST_CONTEXT = Symbol.for("@vercel/request-context");

interface RequestContextSource {
  get?(): { waitUntil?: (promise: Promise<unknown>) => void } | undefined;
}

/** `waitUntil` of the request being served, from Vercel's request context, if there is one. */
export function requestContextWaitUntil(): ((promise: Promise<unknown>) => void) | undefined {
  const source = (globalThis as { [REQUEST_CONTEXT]?: RequestContextSource })[REQUEST_CONTEXT];
  const waitUntil = source?.get?.()?.waitUntil;
  return typeof waitUntil === "function" ? waitUntil : undefined;
}

/**
 * The host's `waitUntil` for this request: the handler's second argument (Edge `{ waitUntil }`,
 * Node.js `FetchEvent`), else Vercel's request context, else none — then the promise still runs,
 * but nothing keeps the function alive for it. Rejections always go to `onError`.
 */
export function hostWaitUntil(
  context: VercelContextLike | undefined,
  onError: (error: unknown) => void,
): (promise: Promise<unknown>) => void {
  const given = context?.waitUntil;
  const host = typeof given === "function" ? given.bind(context) : requestContextWaitUntil();
  return guardedWaitUntil(host, onError);
}

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** Vercel's id of the request (`x-vercel-id`), when present and printable. */
export function vercelRequestId(value: string | null | undefined): string | undefined {
  return typeof value === "string" && REQUEST_ID.test(value) ? value : undefined;
}

/** `start + maxDuration` seconds, or `undefined` without a (valid) maximum duration. */
export function deadlineOf(start: number, maxDuration: number | undefined): number | undefined {
  if (maxDuration === undefined || !Number.isFinite(maxDuration) || maxDuration <= 0) return undefined;
  return start + maxDuration * 1000;
}

/**
 * Whether this function runs deployed on Vercel: a production or preview deployment, not `vercel
 * dev`. Vercel's system environment variables say so, "available at both build and runtime"
 * (https://vercel.com/docs/environment-variables/system-environment-variables): `VERCEL` is `1`
 * ("system environment variables have been exposed", on by default in the project settings) and
 * `VERCEL_ENV` is `production`, `preview` or `development`. `vercel dev` runs functions with
 * `VERCEL_ENV=development` when the project's variables are pulled, and `vercel dev --local` (CLI
 * 64) with neither variable set: nothing is routed there.
 *
 * Read as the literal `process.env.VERCEL` / `process.env.VERCEL_ENV`, on both runtimes: Node.js
 * has them in `process.env`; the Edge runtime answers `process.env` per name (it does not list
 * them), and a bundler that inlines environment variables replaces exactly these expressions.
 * Where there is no `process` at all, this is not a Vercel deployment.
 */
export function deployedOnVercel(): boolean {
  let vercel: string | undefined;
  let environment: string | undefined;
  try {
    vercel = process.env.VERCEL;
    environment = process.env.VERCEL_ENV;
  } catch {
    return false;
  }
  return vercel === "1" && (environment === "production" || environment === "preview");
}

/**
 * The host a deployed Vercel function's request was routed by: its `Host` (else the URL's). Vercel's
 * edge matches the host against the project's domains (its `*.vercel.app` deployment and branch
 * URLs, the domains added to it) before the function runs, so a foreign name never reaches it.
 */
export function routedHostOf(request: Request): string | undefined {
  const host = request.headers.get("host");
  if (host !== null) return host;
  try {
    return new URL(request.url).host;
  } catch {
    return undefined;
  }
}

/**
 * The caller's address on a deployed function: `x-real-ip`. Vercel's request headers reference
 * (https://vercel.com/docs/headers/request-headers) gives `x-forwarded-for` as "the public IP
 * address of the client that made the request", which Vercel overwrites rather than forward a
 * client's value ("to prevent IP spoofing"), and `x-real-ip` as identical to it — except that
 * `x-forwarded-for` may be rewritten by a proxy on top of Vercel (the Enterprise trusted proxy).
 * Elsewhere (`vercel dev`, tests) the header is whatever the client sent: never read there.
 */
export function realIpOf(request: Request): string | undefined {
  const value = request.headers.get("x-real-ip")?.trim();
  return value === undefined || value === "" || value.length > 100 ? undefined : value;
}

/**
 * What every request of a Vercel handler gets: `multiInstance` (Vercel runs many instances, and
 * `vercel dev` a process per request) and, deployed, `routedHosts` with the request's host and
 * `clientAddress` from `x-real-ip`.
 */
export function platformContext(ctx: ExecutionContextLike, request: Request, deployed: boolean): void {
  ctx.multiInstance = true;
  if (!deployed) return;
  const host = routedHostOf(request);
  if (host !== undefined) ctx.routedHosts = [host];
  const address = realIpOf(request);
  if (address !== undefined) ctx.clientAddress = address;
}

/** The request context a Web handler gives the app. */
export function webContext(
  request: Request,
  context: VercelContextLike | undefined,
  maxDuration: number | undefined,
  deployed: boolean,
  onError: (error: unknown) => void,
): ExecutionContextLike {
  const ctx: ExecutionContextLike = { waitUntil: hostWaitUntil(context, onError) };
  platformContext(ctx, request, deployed);
  const requestId = vercelRequestId(request.headers.get("x-vercel-id"));
  if (requestId !== undefined) ctx.requestId = requestId;
  const deadline = deadlineOf(Date.now(), maxDuration);
  if (deadline !== undefined) ctx.deadline = deadline;
  return ctx;
}

/** The default `onError`: one `console.error` line tagged `[@portico/adapter-vercel]`. */
export const defaultOnError: (error: unknown) => void = consoleErrorReporter("@portico/adapter-vercel");
