/**
 * One upstream exchange: the request with the configured headers and credentials, a time limit
 * joined with the MCP request's own signal, and the body read up to a size limit. Failures come
 * back as messages a client may see; causes go to the operator's log.
 */
import type { HandlerContext } from "@portico/core";
import { readBoundedBytes } from "@portico/host";
import { sendWithinOrigin } from "./redirects.ts";
import { buildRequest, type CallPlan } from "./request.ts";
import type { OpenApiAuth, OpenApiFetch } from "./types.ts";

export interface Runtime {
  readonly fetch: OpenApiFetch;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly auth: OpenApiAuth | undefined;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export type Exchange =
  | { ok: true; status: number; statusText: string; contentType: string | null; bytes: Uint8Array }
  | { ok: false; message: string };

async function authHeaders(
  auth: OpenApiAuth | undefined,
  ctx: HandlerContext,
): Promise<Record<string, string>> {
  if (auth === undefined) return {};
  if (auth === "forward") {
    const token = ctx.auth?.token;
    return token ? { authorization: `Bearer ${token}` } : {};
  }
  if (typeof auth === "function") return await auth(ctx);
  return { [auth.header]: auth.value };
}

/** A promise that rejects when `signal` aborts (never unhandled). */
function rejection(signal: AbortSignal): Promise<never> {
  const promise = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  promise.catch(() => {});
  return promise;
}

/** Calls the operation with `args`. */
export async function exchange(
  runtime: Runtime,
  call: CallPlan,
  args: Record<string, unknown>,
  ctx: HandlerContext,
): Promise<Exchange> {
  const what = `${call.method} ${call.path}`;
  let parts: ReturnType<typeof buildRequest>;
  try {
    parts = buildRequest(call, args);
  } catch (error) {
    // A header value with a line break, …: the caller's arguments, so the caller may see why.
    if (!(error instanceof TypeError)) throw error;
    return {
      ok: false,
      message: `The arguments cannot be sent as an HTTP request (${what}): ${error.message}`,
    };
  }
  for (const [name, value] of Object.entries(runtime.headers ?? {})) parts.headers.set(name, value);
  for (const [name, value] of Object.entries(await authHeaders(runtime.auth, ctx)))
    parts.headers.set(name, value);
  const timer = new AbortController();
  const timeout = setTimeout(
    () => timer.abort(new DOMException("The upstream request timed out", "TimeoutError")),
    runtime.timeoutMs,
  );
  const signal = AbortSignal.any([ctx.signal, timer.signal]);
  const aborted = rejection(signal);
  try {
    const outgoing = {
      url: parts.url,
      method: call.method,
      headers: parts.headers,
      body: parts.body,
      signal,
    };
    const response = await Promise.race([
      sendWithinOrigin(runtime.fetch, outgoing, what, ctx.logger),
      aborted,
    ]);
    if (typeof response === "string") return { ok: false, message: response };
    const bytes = await readBoundedBytes(response, runtime.maxResponseBytes, signal);
    if (bytes === undefined) {
      return {
        ok: false,
        message: `The response of ${what} is larger than ${runtime.maxResponseBytes} bytes, the most this server reads`,
      };
    }
    return {
      ok: true,
      status: response.status,
      statusText: response.statusText,
      contentType: response.headers.get("content-type"),
      bytes,
    };
  } catch (error) {
    if (timer.signal.aborted)
      return { ok: false, message: `${what} timed out after ${runtime.timeoutMs} ms` };
    if (ctx.signal.aborted) return { ok: false, message: `${what} was cancelled` };
    ctx.logger.warn("openapi: upstream request failed", { operation: what, error });
    return { ok: false, message: `${what} failed: the API could not be reached` };
  } finally {
    clearTimeout(timeout);
  }
}
