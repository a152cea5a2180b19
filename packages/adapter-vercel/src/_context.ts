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

/** The request context a Web handler gives the app. */
export function webContext(
  request: Request,
  context: VercelContextLike | undefined,
  maxDuration: number | undefined,
  onError: (error: unknown) => void,
): ExecutionContextLike {
  const ctx: ExecutionContextLike = { waitUntil: hostWaitUntil(context, onError) };
  const requestId = vercelRequestId(request.headers.get("x-vercel-id"));
  if (requestId !== undefined) ctx.requestId = requestId;
  const deadline = deadlineOf(Date.now(), maxDuration);
  if (deadline !== undefined) ctx.deadline = deadline;
  return ctx;
}

/** The default `onError`: one `console.error` line tagged `[@portico/adapter-vercel]`. */
export const defaultOnError: (error: unknown) => void = consoleErrorReporter("@portico/adapter-vercel");
