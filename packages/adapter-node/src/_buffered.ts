import type { ServerResponse } from "node:http";

/** What `@portico/core` hands over for a response whose whole body it already holds. */
interface BufferedResponse {
  status: number;
  statusText: string;
  headers: Record<string, string> | Headers;
  body: string | null;
}

const READ = Symbol.for("portico.readBufferedResponse");

/**
 * The status, headers and text of a buffered Portico response (marking its body read), or
 * `undefined` for any other `Response`. Keyed by a registered symbol, so no runtime import of the core.
 */
export function readBuffered(response: Response): BufferedResponse | undefined {
  const read = (response as unknown as { [READ]?: () => BufferedResponse | undefined })[READ];
  return typeof read === "function" ? read.call(response) : undefined;
}

/** Writes a buffered response in one go: one `writeHead`, one `end`, with a Content-Length. */
export function writeBuffered(res: ServerResponse, buffered: BufferedResponse, head: boolean): void {
  // A flat [name, value, …] list: the cheapest form `writeHead` takes.
  const headers: string[] = [];
  if (buffered.headers instanceof Headers) {
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
