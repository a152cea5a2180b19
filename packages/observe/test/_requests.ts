/** MCP requests as a client sends them, in either era (the test-kit's, with this package's defaults). */
import { initializeBody, legacyPost, modernPost } from "@portico/test-kit";

export const URL_ = "http://127.0.0.1:3000/mcp";

/** A 2026-07-28 POST from a client that can answer elicitations. */
export function modernRequest(
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  url = URL_,
): Request {
  return modernPost(url, method, params, { clientCapabilities: { elicitation: {} }, headers });
}

/** A 2025-era POST of `body`. */
export function legacyRequest(body: unknown, headers: Record<string, string> = {}): Request {
  return legacyPost(URL_, body, { headers });
}

/** A 2025-era `initialize`. */
export function initializeRequest(): Request {
  return legacyPost(URL_, initializeBody(1));
}
