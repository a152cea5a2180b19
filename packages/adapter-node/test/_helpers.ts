import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";

const running = new Set<Server>();

/** Stops every server `listen` started; call it from `afterEach`. */
export async function stopAll(): Promise<void> {
  const servers = [...running];
  running.clear();
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
}

/** Starts a node:http server on 127.0.0.1 with a free port; stopped by `stopAll()`. */
export async function listen(listener: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createServer(listener);
  running.add(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

/** Sends `head` verbatim (CRLF line ends, body included) and returns everything until the server closes. */
export function rawRequest(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("end", () => resolve(received));
    socket.on("error", reject);
    socket.write(head);
  });
}

/** A promise with its resolver, for gating one side of a test on the other. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Polls `read` until it returns the same value `times` polls in a row; returns that value. */
export async function settle(read: () => number, intervalMs = 50, times = 4): Promise<number> {
  let last = read();
  let same = 0;
  while (same < times) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/** The JSON-RPC body the adapter answers with when the app fails. */
export const INTERNAL_ERROR = {
  jsonrpc: "2.0",
  id: null,
  error: { code: -32603, message: "Internal error" },
};
