/**
 * The Vercel adapter's exported Web handlers, called in process as Vercel's Node.js runtime calls
 * them: `handlers[request.method] ?? handlers.fetch` with a `Request` and a context whose
 * `waitUntil` collects the background work (checked to settle).
 */
import type { VercelHandlers } from "@portico/adapter-vercel";
import {
  type Answer,
  fromFetchResponse,
  type RawRequest,
  type Transport,
  toFetchRequest,
} from "../transport.ts";

export function vercelTransport(handlers: VercelHandlers, origin = "http://127.0.0.1:3000"): Transport {
  return {
    origin,
    async send(raw: RawRequest): Promise<Answer> {
      const request = toFetchRequest(origin, raw);
      const handler = handlers[request.method as keyof VercelHandlers] ?? handlers.fetch;
      const waits: Promise<unknown>[] = [];
      const response = await handler(request, { waitUntil: (promise) => waits.push(promise) });
      // Everything handed to waitUntil, also later (a streamed call registers its work as it goes).
      const settled = (async () => {
        for (let seen = 0; seen < waits.length; seen = waits.length)
          await Promise.allSettled(waits.slice(seen));
      })();
      return fromFetchResponse(response, settled);
    },
  };
}
