import type { ServerResponse } from "node:http";
import { consoleErrorReporter, HOST_ERROR_HEADERS, hostErrorBody } from "@portico/host";

/** The statuses the adapter itself ever answers with. */
export type AdapterErrorStatus = 400 | 500;

/** The default `onError`: one `console.error` line tagged `[@portico/adapter-node]`. */
export const defaultOnError: (error: unknown) => void = consoleErrorReporter("@portico/adapter-node");

/**
 * Answers with the host's JSON-RPC error body (`hostErrorBody`, no details, never a stack trace) and
 * headers, or destroys the connection when a status line has already gone out and an honest status
 * is no longer possible. Never throws.
 */
export function sendAdapterError(res: ServerResponse, status: AdapterErrorStatus): void {
  try {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = hostErrorBody(status);
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.writeHead(status, {
      ...HOST_ERROR_HEADERS,
      "content-length": Buffer.byteLength(body),
      // A request the adapter could not even convert may have an unread body: do not reuse the socket.
      ...(status === 400 ? { connection: "close" } : {}),
    });
    res.end(body);
  } catch {
    res.destroy();
  }
}
