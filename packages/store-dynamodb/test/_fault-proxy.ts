import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does instead of (or after) forwarding one request. */
export type Fault =
  | "ProvisionedThroughputExceededException"
  | "ThrottlingException"
  | "RequestLimitExceeded"
  | "http-500"
  | "http-503"
  | "reset"
  /** Forwards the request (so it is applied), then answers 500: the answer is "lost". */
  | "lost-answer";

export interface FaultProxy {
  endpoint: string;
  /** Every operation that reached the proxy, in arrival order (`x-amz-target` without prefix). */
  seen: string[];
  /** Faults for the next requests, one per request, in order. */
  inject(...faults: Fault[]): void;
  close(): Promise<void>;
}

/** A tiny HTTP proxy on 127.0.0.1 in front of `target` that injects failures on demand. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const queue: Fault[] = [];
  const seen: string[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const operation = String(req.headers["x-amz-target"] ?? "").replace(/^DynamoDB_20120810\./, "");
    seen.push(operation);
    const fault = queue.shift();
    if (fault === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault === "http-500" || fault === "http-503") {
      const status = fault === "http-500" ? 500 : 503;
      res.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
      res.end(
        JSON.stringify({
          __type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
          message: "injected",
        }),
      );
      return;
    }
    if (fault && fault !== "lost-answer") {
      res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${fault}`, message: "injected" }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string" && !["host", "connection", "content-length"].includes(name)) {
        headers[name] = value;
      }
    }
    const upstream = await fetch(target, { method: "POST", headers, body: Buffer.concat(chunks) });
    const text = await upstream.text();
    if (fault === "lost-answer") {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("injected: the write went through, its answer did not");
      return;
    }
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "" });
    res.end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    inject: (...faults) => queue.push(...faults),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
