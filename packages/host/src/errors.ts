/**
 * The answers a host gives when it cannot give the app's: one JSON-RPC error body per status, with
 * no detail (never a message or stack from the error), and one default error reporter.
 */

/** The statuses an adapter (or the core's last-resort handler) answers on its own. */
export type HostErrorStatus = 400 | 500 | 504;

const ERRORS: Record<HostErrorStatus, { code: number; message: string }> = {
  400: { code: -32600, message: "Bad Request" },
  500: { code: -32603, message: "Internal error" },
  504: { code: -32603, message: "Gateway Timeout" },
};

/** The JSON text of the error body for `status` (`id: null`, no `data`). */
export function hostErrorBody(status: HostErrorStatus): string {
  const { code, message } = ERRORS[status];
  return JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } });
}

/** Headers every host error carries. */
export const HOST_ERROR_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "application/json",
  "cache-control": "no-store",
};

/** A real `Response` with the safe error body for `status`. */
export function hostErrorResponse(status: HostErrorStatus): Response {
  return new Response(hostErrorBody(status), { status, headers: HOST_ERROR_HEADERS });
}

/** The default `onError` of an adapter: one `console.error` line, tagged with the adapter's name. */
export function consoleErrorReporter(source: string): (error: unknown) => void {
  return (error) => console.error(`[${source}] unhandled error:`, error);
}
