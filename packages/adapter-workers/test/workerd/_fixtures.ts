/** Helpers of the in-workerd tests: requests as real invocations of the test Worker. */
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { TestEnv } from "./worker.ts";

export const testEnv = env as unknown as TestEnv;

/** The `secret` of the tests' handlers: on a multi-instance host, a handler without one warns. */
export const TEST_SECRET = "adapter-workers-test-secret-0123456789abcdef";

/**
 * A request to the test Worker through its service binding: each call is a separate invocation
 * with its own I/O context, as in production. An `init.signal` that aborts cancels the response
 * body, as a client's `fetch` does.
 */
export async function invokeWorker(input: Request | string | URL, init?: RequestInit): Promise<Response> {
  const response = await SELF.fetch(new Request(input, init));
  const signal = init?.signal;
  if (!signal || response.body === null) return response;
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  response.body.pipeTo(writable, { signal }).catch(() => {});
  return new Response(readable, response);
}
