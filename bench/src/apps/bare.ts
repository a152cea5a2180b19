/** A hand-written fetch handler for the `add` call, with no protocol checks: the floor for fetch handlers. */
import type { FetchTarget } from "./_fetch-target.ts";

interface AddCall {
  id?: unknown;
  params?: { arguments?: { a?: number; b?: number }; _meta?: unknown };
}

/** A hand-written handler: parse JSON, add, answer. No protocol checks at all. */
export function bare(): FetchTarget {
  return {
    async fetch(request) {
      const body = (await request.json()) as AddCall;
      const args = body.params?.arguments ?? {};
      const result: Record<string, unknown> = {
        content: [{ type: "text", text: String((args.a ?? 0) + (args.b ?? 0)) }],
      };
      if (body.params?._meta !== undefined) result.resultType = "complete";
      return Response.json({ jsonrpc: "2.0", id: body.id ?? null, result });
    },
  };
}
