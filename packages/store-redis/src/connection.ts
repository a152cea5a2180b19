/**
 * The one small interface the stores talk to, and how a node-redis or ioredis client becomes one.
 * The clients are typed structurally: this package imports neither library, so users bring the
 * client (and the version) they already have.
 */
import { RedisError } from "./errors.ts";

/** A reply as the stores read it (RESP2 shapes; Lua tables arrive as arrays). */
export type RedisReply = null | string | number | RedisReply[];

/** A dedicated pub/sub connection. The bus calls `subscribe`/`unsubscribe` at most once per channel at a time. */
export interface RedisSubscriber {
  /** Resolves once Redis confirmed the subscription: later publishes reach `onMessage`. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/**
 * What the stores need from Redis: one command at a time, and optionally a pub/sub connection.
 * `send` rejects with a {@link RedisError} for an error reply and with any other error (for
 * example `StoreUnavailableError`) when Redis could not be reached or the answer was lost.
 */
export interface RedisConnection {
  /** Sends one command (`["SET", "k", "v"]`); `signal` aborts waiting (a connection may ignore it). */
  send(command: string[], signal?: AbortSignal): Promise<unknown>;
  /** A new dedicated connection for pub/sub; absent where there is none (REST). */
  subscriber?(onError: (error: unknown) => void): RedisSubscriber;
  /**
   * The default of the stores' `primaryReads` option: `true` when plain reads may be answered by
   * a read replica that lags behind the primary (`RedisRestClient`: Upstash global databases).
   */
  readonly primaryReads?: boolean;
}

/**
 * The options of node-redis's `sendCommand` the stores pass: the abort signal of a command they
 * gave up on (`abortSignal` in v5+, `signal` in v4), so one still in the offline queue is dropped.
 */
export interface NodeRedisCommandOptions {
  abortSignal?: AbortSignal;
  signal?: AbortSignal;
}

/** The part of a node-redis (v4 – v6) client the stores use. */
export interface NodeRedisClientLike {
  sendCommand(args: string[], options?: NodeRedisCommandOptions): Promise<unknown>;
  duplicate(): NodeRedisSubscriberLike;
}

/** The part of a duplicated node-redis client the pub/sub bus uses. */
export interface NodeRedisSubscriberLike {
  connect(): Promise<unknown>;
  on(event: "error", listener: (error: Error) => void): unknown;
  subscribe(channel: string, listener: (message: string, channel: string) => unknown): Promise<unknown>;
  unsubscribe(channel: string, listener: (message: string, channel: string) => unknown): Promise<unknown>;
  destroy(): unknown;
}

/** The part of an ioredis (v5, v6) client the stores use. */
export interface IoRedisClientLike {
  call(command: string, ...args: string[]): Promise<unknown>;
  duplicate(): IoRedisSubscriberLike;
}

/** The part of a duplicated ioredis client the pub/sub bus uses. */
export interface IoRedisSubscriberLike {
  /** `"ready"` once connected (and `"wait"` before connecting, with `lazyConnect`). */
  readonly status?: string;
  connect?(): Promise<unknown>;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "message", listener: (channel: string, message: string) => void): unknown;
  once?(event: "ready", listener: () => void): unknown;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  disconnect(): unknown;
}

/** Anything the stores accept as their Redis: a node-redis client, an ioredis client or a {@link RedisConnection}. */
export type RedisClientLike = NodeRedisClientLike | IoRedisClientLike | RedisConnection;

/**
 * Error replies of both libraries start with Redis's upper-case error code (`ERR`, `WRONGTYPE`,
 * `NOSCRIPT`…); their own connection errors ("The client is closed", "Connection is closed.",
 * "connect ECONNREFUSED …") never do.
 */
const REPLY = /^([A-Z][A-Z0-9_]+)(?: |$)/;

/** A {@link RedisError} for an error reply of either library; the error itself for anything else. */
function normalise(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof RedisError) return error;
  const code = REPLY.exec(error.message)?.[1];
  if (code === undefined || typeof (error as { code?: unknown }).code === "string") return error;
  return new RedisError(`Redis ${error.message}`, code, { cause: error });
}

/** A {@link RedisConnection} over a connected node-redis client (`await createClient(…).connect()`). */
export function nodeRedisConnection(client: NodeRedisClientLike): RedisConnection {
  return {
    // A command the stores gave up on (their deadline aborts `signal`) leaves node-redis's offline
    // queue: sent after Redis is back, it would run late, and the queue would grow all outage long.
    send: (command, signal) =>
      client
        .sendCommand(command, signal ? { abortSignal: signal, signal } : undefined)
        .catch((error: unknown) => {
          throw normalise(error);
        }),
    subscriber(onError) {
      const connection = client.duplicate();
      connection.on("error", onError);
      // Connected at the first subscribe; a connect that failed for good is tried again next time.
      let connecting: Promise<unknown> | undefined;
      const connected = () => {
        connecting ??= connection.connect().catch((error: unknown) => {
          connecting = undefined;
          throw error;
        });
        return connecting;
      };
      const listeners = new Map<string, (message: string) => void>();
      return {
        async subscribe(channel, onMessage) {
          await connected();
          const listener = (message: string) => onMessage(message);
          listeners.set(channel, listener);
          await connection.subscribe(channel, listener).catch((error: unknown) => {
            throw normalise(error);
          });
        },
        async unsubscribe(channel) {
          const listener = listeners.get(channel);
          if (!listener) return;
          listeners.delete(channel);
          await connection.unsubscribe(channel, listener);
        },
        async close() {
          listeners.clear();
          connection.destroy();
        },
      };
    },
  };
}

/** A {@link RedisConnection} over an ioredis client. */
export function ioRedisConnection(client: IoRedisClientLike): RedisConnection {
  return {
    send: ([name, ...args]) =>
      client.call(name as string, ...args).catch((error: unknown) => {
        throw normalise(error);
      }),
    subscriber(onError) {
      const connection = client.duplicate();
      const listeners = new Map<string, (message: string) => void>();
      connection.on("error", onError);
      connection.on("message", (channel, message) => listeners.get(channel)?.(message));
      // A client without an offline queue (`enableOfflineQueue: false`) refuses commands until it
      // is ready, and the duplicate has only just started connecting: SUBSCRIBE waits for "ready"
      // (the bus's deadline bounds the wait). One shared wait, however many subscribes are waiting.
      let ready: Promise<void> | undefined;
      let stopWaiting = () => {};
      const whenReady = (): Promise<void> | undefined => {
        const status = connection.status;
        // "end": closed for good, nothing to wait for (SUBSCRIBE fails at once).
        if (status === undefined || status === "ready" || status === "end" || !connection.once) return;
        if (status === "wait") connection.connect?.().catch(() => {});
        ready ??= new Promise<void>((resolve) => {
          stopWaiting = resolve;
          connection.once?.("ready", () => {
            ready = undefined;
            resolve();
          });
        });
        return ready;
      };
      return {
        async subscribe(channel, onMessage) {
          await whenReady();
          listeners.set(channel, onMessage);
          await connection.subscribe(channel).catch((error: unknown) => {
            throw normalise(error);
          });
        },
        async unsubscribe(channel) {
          if (!listeners.delete(channel)) return;
          await connection.unsubscribe(channel);
        },
        async close() {
          listeners.clear();
          connection.disconnect();
          stopWaiting(); // a waiting SUBSCRIBE now fails ("Connection is closed.")
        },
      };
    },
  };
}

/**
 * The {@link RedisConnection} for `client`: an ioredis client (it has `call`), a node-redis client
 * (it has `sendCommand` taking an array), or a connection as is (it has `send`).
 */
export function toRedisConnection(client: RedisClientLike): RedisConnection {
  const candidate = client as Partial<IoRedisClientLike & NodeRedisClientLike & RedisConnection>;
  if (typeof candidate.call === "function" && typeof candidate.duplicate === "function") {
    return ioRedisConnection(client as IoRedisClientLike);
  }
  if (typeof candidate.sendCommand === "function" && typeof candidate.duplicate === "function") {
    return nodeRedisConnection(client as NodeRedisClientLike);
  }
  if (typeof candidate.send === "function") return client as RedisConnection;
  throw new TypeError(
    "client must be a node-redis client, an ioredis client or a RedisConnection (e.g. a RedisRestClient)",
  );
}
