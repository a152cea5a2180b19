/** The 503 an authenticator answers while a dependency it needs is down: no detail, a Retry-After. */
import { HOST_ERROR_HEADERS } from "@portico/host";

const BODY = JSON.stringify({
  jsonrpc: "2.0",
  id: null,
  error: { code: -32603, message: "Service Unavailable" },
});

export function unavailableResponse(retryAfterSeconds: number): Response {
  return new Response(BODY, {
    status: 503,
    headers: { ...HOST_ERROR_HEADERS, "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
}
