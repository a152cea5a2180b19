/**
 * A TCP proxy on 127.0.0.1 in front of any TCP service (redis-server, the REST endpoint) that
 * fails on demand: it can refuse connections (the server is down), stall them (the network
 * hangs: bytes are held, not lost), cut them (a blip), or let a request through and lose its
 * answer. Protocol-agnostic, so the same fault test runs for node-redis, ioredis and REST.
 */

import type { AddressInfo } from "node:net";
import { connect, createServer, type Socket } from "node:net";

type Mode = "pass" | "refuse" | "stall";

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Bytes held while stalled, per direction. */
  toUpstream: Buffer[];
  toClient: Buffer[];
}

export interface TcpProxy {
  port: number;
  /** Forward everything (again); bytes held while stalled are delivered now. */
  pass(): void;
  /** Close every connection and reset new ones at once, as a stopped server would. */
  refuse(): void;
  /** Keep connections open but deliver nothing in either direction until `pass()`. */
  stall(): void;
  /** Close every open connection once; new ones pass. */
  cut(): void;
  /** The next answer from upstream is dropped and its connection closed: the request ran, its answer is lost. */
  loseNextAnswer(): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: Mode = "pass";
  let loseAnswer = false;
  let accepted = 0;
  const pairs = new Set<Pair>();

  const destroy = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  };

  const server = createServer((client) => {
    accepted += 1;
    if (mode === "refuse") {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    const pair: Pair = { client, upstream, toUpstream: [], toClient: [] };
    pairs.add(pair);
    client.on("data", (chunk: Buffer) => {
      if (mode === "stall") pair.toUpstream.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (loseAnswer) {
        loseAnswer = false;
        destroy(pair);
      } else if (mode === "stall") pair.toClient.push(chunk);
      else client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on("error", () => destroy(pair));
      socket.on("close", () => destroy(pair));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    port,
    get accepted() {
      return accepted;
    },
    pass() {
      mode = "pass";
      for (const pair of pairs) {
        for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
        for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
      }
    },
    refuse() {
      mode = "refuse";
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        destroy(pair);
      }
    },
    stall() {
      mode = "stall";
    },
    cut() {
      for (const pair of [...pairs]) destroy(pair);
    },
    loseNextAnswer() {
      loseAnswer = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of [...pairs]) destroy(pair);
        server.close(() => resolve());
      }),
  };
}
