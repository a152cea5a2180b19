/**
 * Real HTTP over loopback with node:http and a keep-alive agent: for servers that listen (the Node
 * adapter's `serve`, `wrangler dev`). Header values go out as the byte strings they are; framing
 * headers are the client's own.
 */
import { Agent, request as httpRequest } from "node:http";
import { type Answer, FRAMING_HEADERS, type RawRequest, type Transport } from "../transport.ts";

export interface HttpTransport extends Transport {
  /** Requests sent again after the keep-alive race (see below). */
  readonly retries: number;
  /** Closes the agent's sockets. */
  close(): void;
}

function headersOf(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // a value Headers refuses is still the server's answer; keep the rest
    }
  }
  return headers;
}

export function httpTransport(origin: string, maxSockets = 8): HttpTransport {
  const url = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets });
  let retries = 0;
  const send = (raw: RawRequest, retried: boolean): Promise<Answer> =>
    new Promise<Answer>((resolve, reject) => {
      // The raw-list form keeps repeated names (two Hosts…) and writes each value as latin1, byte for byte.
      const headers: string[] = [];
      for (const [name, value] of raw.headers) if (!FRAMING_HEADERS.has(name)) headers.push(name, value);
      headers.push("content-length", String(raw.body?.length ?? 0));
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: raw.method,
          path: raw.path,
          headers,
          agent: retried ? false : agent,
          setHost: false,
        },
        (res) => {
          res.on("error", () => {});
          resolve({
            status: res.statusCode ?? 0,
            headers: headersOf(res.rawHeaders),
            body: res,
            cancel() {
              if (!res.complete) req.destroy();
              res.resume();
            },
          });
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) => {
        // A keep-alive socket the server closed as it was being reused (Node's documented race,
        // `req.reusedSocket`): sent again once, on a connection of its own. A server that
        // really dropped the request fails the retry too.
        const closed = error.code === "ECONNRESET" || error.code === "EPIPE";
        if (!retried && req.reusedSocket && closed) {
          retries++;
          resolve(send(raw, true));
        } else reject(error);
      });
      req.end(raw.body ?? undefined);
    });
  return {
    origin,
    ownsFraming: true,
    send: (raw) => send(raw, false),
    get retries() {
      return retries;
    },
    close() {
      agent.destroy();
    },
  };
}
