import type { ServerResponse } from "node:http";
import { type BufferedResponse, LightHeaders } from "@portico/host";

/**
 * Writes a buffered response (read with `readBufferedResponse` from `@portico/host`) in one go: one
 * `writeHead`, one `end`, with a Content-Length.
 */
export function writeBuffered(res: ServerResponse, buffered: BufferedResponse, head: boolean): void {
  // A flat [name, value, …] list: the cheapest form `writeHead` takes.
  const headers: string[] = [];
  if (buffered.headers instanceof LightHeaders) {
    for (const [name, value] of buffered.headers) if (name !== "set-cookie") headers.push(name, value);
    for (const cookie of buffered.headers.getSetCookie()) headers.push("set-cookie", cookie);
  } else {
    for (const name in buffered.headers) headers.push(name, buffered.headers[name] as string);
  }
  const body = buffered.body ?? "";
  headers.push("content-length", String(Buffer.byteLength(body)));
  if (buffered.statusText) res.writeHead(buffered.status, buffered.statusText, headers);
  else res.writeHead(buffered.status, headers);
  if (head || body === "") res.end();
  else res.end(body);
}
