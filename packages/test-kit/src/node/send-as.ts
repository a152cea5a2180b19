/**
 * `sendAs`: sends a request over raw HTTP with the `Host` (and browser `Origin`) given — what a DNS
 * rebinding attack or a deployed hostname looks like to a server on loopback. `fetch` cannot set
 * `Host`, so this goes through `node:http`.
 */
import { request as httpRequest } from "node:http";

/** What came back: the status and the body as text. */
export interface SentAs {
  status: number;
  body: string;
}

/**
 * Sends `request` (its method, path, headers and body) to `to` — a port on 127.0.0.1, or an origin
 * URL — with `Host: host` and, when given, `Origin: origin`. Rejects after `timeoutMs` (30 s).
 */
export async function sendAs(
  to: number | string | URL,
  request: Request,
  host: string,
  origin?: string,
  timeoutMs = 30_000,
): Promise<SentAs> {
  const body = Buffer.from(await request.arrayBuffer());
  const headers: Record<string, string> = Object.fromEntries(request.headers);
  headers.host = host;
  if (origin !== undefined) headers.origin = origin;
  headers["content-length"] = String(body.byteLength);
  const target = typeof to === "number" ? { hostname: "127.0.0.1", port: String(to) } : new URL(to);
  const path = new URL(request.url).pathname;
  return new Promise((resolve, reject) => {
    const options = { host: target.hostname, port: target.port, method: request.method, path, headers };
    const req = httpRequest(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(body);
  });
}
