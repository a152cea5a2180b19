import type { ServerResponse } from "node:http";

const MESSAGES = {
  400: { code: -32600, message: "Bad Request" },
  500: { code: -32603, message: "Internal error" },
} as const;

/** The statuses the adapter itself ever answers with. */
export type AdapterErrorStatus = keyof typeof MESSAGES;

/**
 * Answers with a JSON-RPC error body and no details (never a stack trace), or destroys the connection
 * when a status line has already gone out and an honest status is no longer possible. Never throws.
 */
export function sendAdapterError(res: ServerResponse, status: AdapterErrorStatus): void {
  try {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const { code, message } = MESSAGES[status];
    const body = JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } });
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
      // A request the adapter could not even convert may have an unread body: do not reuse the socket.
      ...(status === 400 ? { connection: "close" } : {}),
    });
    res.end(body);
  } catch {
    res.destroy();
  }
}
