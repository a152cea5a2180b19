/**
 * A server child for (j): `node gap-server.ts <variant>` serves the `add` call through Portico's Node
 * adapter on 127.0.0.1 (a port the OS picks), peeling the Node adapter's path apart:
 *
 * - `adapter`: an app that only reads the body and answers as raw node:http does (no core);
 * - `adapter+reads`: the same, after reading what the core reads of every request (the headers it
 *   asks for, the URL, the abort signal), so the adapter builds all it builds for the core;
 * - `portico`: the `add` app on the core, as in (b).
 *
 * Prints `{"url": ...}` once listening; runs until SIGTERM.
 */
import { serve } from "@portico/adapter-node";
import { bufferedResponse } from "@portico/host";
import { ready } from "./_ready.ts";
import type { FetchTarget } from "./apps/_fetch-target.ts";
import { portico } from "./apps/portico.ts";
import { rawAnswer } from "./requests.ts";

export const GAP_VARIANTS = ["adapter", "adapter+reads", "portico"] as const;
export type GapVariant = (typeof GAP_VARIANTS)[number];

/** The headers the core reads of a 2026-07-28 POST (Host/Origin, content negotiation, MCP headers, auth). */
const READ_HEADERS = [
  "host",
  "origin",
  "content-type",
  "accept",
  "content-length",
  "mcp-protocol-version",
  "mcp-session-id",
  "mcp-method",
  "mcp-name",
  "authorization",
  "traceparent",
];

/** Keeps reads from being optimised away. */
let sink = 0;
/** The total length of what `adapter+reads` read (exported so the reads count as used). */
export const readLength = (): number => sink;

/** The raw handler's answer (`rawAnswer`), through the adapter's buffered response. */
async function answerLikeRaw(request: Request): Promise<Response> {
  const out = rawAnswer(await request.text());
  return bufferedResponse(out, 200, { "content-type": "application/json" }) as unknown as Response;
}

function readLikeCore(request: Request): void {
  for (const name of READ_HEADERS) sink += request.headers.get(name)?.length ?? 0;
  sink += request.url.length + (request.signal.aborted ? 1 : 0);
}

export function gapApp(variant: GapVariant): FetchTarget {
  if (variant === "adapter") return { acceptsBufferedRequests: true, fetch: answerLikeRaw };
  if (variant === "adapter+reads") {
    return {
      acceptsBufferedRequests: true,
      fetch: (request) => {
        readLikeCore(request);
        return answerLikeRaw(request);
      },
    };
  }
  return portico();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const variant = process.argv[2] as GapVariant;
  if (!GAP_VARIANTS.includes(variant)) throw new Error(`gap-server: unknown variant ${variant}`);
  const server = await serve(gapApp(variant), { port: 0, hostname: "127.0.0.1", gracefulTimeoutMs: 500 });
  ready(`${server.url}/mcp`, () => process.exit(0));
}
