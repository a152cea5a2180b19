/**
 * A round-robin HTTP proxy on 127.0.0.1 in front of the instances, as a load balancer would be:
 *
 * - every request goes to the next backend in turn (per request, not per connection, so one
 *   keep-alive client spreads over all instances);
 * - a backend that refuses the connection (killed, or closing after SIGTERM) is skipped for a
 *   second and the request goes to the next one (nothing reached the refused backend, so this is
 *   safe); a request on a reused keep-alive socket that the backend reset before answering is
 *   sent again too (Node's documented pattern for that race);
 * - any other failure before the answer started is a 502 from the proxy; a failure after it
 *   started cuts the client's connection, so a truncated stream looks truncated;
 * - answers are passed through as they arrive — SSE unbuffered, Nagle off — and a client that goes
 *   away closes the backend request, so the instance sees the disconnect.
 *
 * `X-Faults-Backend: <index>` pins a request to one backend (no failover): scenarios use it to put
 * long calls on the instance they are about to kill. Every answer carries `X-Faults-Backend`.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

export const PIN_HEADER = "x-faults-backend";

export interface ProxyStats {
  requests: number;
  /** Answers started per backend. */
  perBackend: number[];
  /** Connections refused by a backend (then skipped). */
  refused: number;
  /** Requests sent again after a reused socket was reset before any answer. */
  resent: number;
  /** 502s the proxy answered itself. */
  badGateway: number;
  /** Answers cut because the backend's answer broke off. */
  truncated: number;
}

export interface RoundRobinProxy {
  readonly url: string;
  readonly port: number;
  readonly stats: ProxyStats;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  PIN_HEADER,
]);

function forwardable(headers: IncomingMessage["headers"]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

function badGateway(res: ServerResponse, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32603, message } });
  res.writeHead(502, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

type Attempt = "done" | "next";

/** Starts the proxy in front of the backends listening on `ports` (127.0.0.1). */
export async function startProxy(ports: readonly number[]): Promise<RoundRobinProxy> {
  const agents = ports.map(() => new Agent({ keepAlive: true, maxSockets: 512 }));
  const downUntil = ports.map(() => 0);
  const stats: ProxyStats = {
    requests: 0,
    perBackend: ports.map(() => 0),
    refused: 0,
    resent: 0,
    badGateway: 0,
    truncated: 0,
  };
  let turn = 0;

  const order = (pinned: number | undefined): number[] => {
    if (pinned !== undefined) return [pinned, pinned];
    const start = turn++ % ports.length;
    const all = ports.map((_, i) => (start + i) % ports.length);
    const now = Date.now();
    const up = all.filter((i) => (downUntil[i] as number) <= now);
    // Everything looks down: try them all anyway (one may be back), plus one resend.
    return up.length > 0 ? [...up, up[0] as number] : [...all, all[0] as number];
  };

  const attempt = (index: number, req: IncomingMessage, body: Buffer, res: ServerResponse) =>
    new Promise<Attempt>((resolve) => {
      let answered = false;
      const upstream = httpRequest({
        host: "127.0.0.1",
        port: ports[index],
        method: req.method,
        path: req.url,
        headers: { ...forwardable(req.headers), "content-length": String(body.byteLength) },
        agent: agents[index],
      });
      const onClientGone = () => {
        if (!res.writableFinished) upstream.destroy();
      };
      res.once("close", onClientGone);
      upstream.on("response", (answer) => {
        answered = true;
        stats.perBackend[index] = (stats.perBackend[index] ?? 0) + 1;
        const headers: Record<string, string | string[]> = forwardable(answer.headers);
        headers[PIN_HEADER] = String(index);
        res.writeHead(answer.statusCode ?? 502, headers);
        if (String(answer.headers["content-type"] ?? "").startsWith("text/event-stream")) {
          res.socket?.setNoDelay(true);
          res.flushHeaders();
        }
        answer.pipe(res);
        answer.on("error", () => {});
        answer.once("close", () => {
          if (!answer.complete && !res.destroyed) {
            stats.truncated++;
            res.destroy();
          }
        });
        resolve("done");
      });
      upstream.on("error", (error: NodeJS.ErrnoException) => {
        res.off("close", onClientGone);
        if (answered) return;
        if (res.destroyed) return resolve("done");
        if (error.code === "ECONNREFUSED") {
          stats.refused++;
          downUntil[index] = Date.now() + 1_000;
          return resolve("next");
        }
        if (upstream.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE")) {
          stats.resent++;
          return resolve("next");
        }
        stats.badGateway++;
        badGateway(
          res,
          `Bad Gateway: backend ${index} failed before answering (${error.code ?? error.message})`,
        );
        resolve("done");
      });
      upstream.end(body);
    });

  const server = createServer(async (req, res) => {
    stats.requests++;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      res.destroy();
      return;
    }
    const body = Buffer.concat(chunks);
    const pin = req.headers[PIN_HEADER];
    const pinned = typeof pin === "string" && pin !== "" ? Number(pin) : undefined;
    if (pinned !== undefined && !(pinned >= 0 && pinned < ports.length)) {
      badGateway(res, `no backend ${pin}`);
      return;
    }
    for (const index of order(pinned)) {
      if ((await attempt(index, req, body, res)) === "done") return;
    }
    stats.badGateway++;
    badGateway(res, "Bad Gateway: no backend accepted the connection");
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const agent of agents) agent.destroy();
        server.close(() => resolve());
      }),
  };
}
