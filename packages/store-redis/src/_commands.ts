import { checkTimerMs, isStoreUnavailable, StoreUnavailableError } from "@portico/core";
import { READ } from "./_scripts.ts";
import { scriptSha } from "./_sha1.ts";
import type { RedisClientLike, RedisConnection, RedisReply } from "./connection.ts";
import { toRedisConnection } from "./connection.ts";
import { isTransientReply, RedisError } from "./errors.ts";

/** How long the stores wait for Redis, and how often they try. */
export interface CommandOptions {
  /**
   * Longest time one store operation waits for Redis, all attempts included. Default 2000 ms; 1 to
   * 2^31−1 ms (about 24.8 days, the longest a timer waits), else the store throws a `RangeError`
   * when it is made.
   */
  timeoutMs?: number;
  /** Extra attempts for operations that are safe to repeat (reads, deletes, compare-and-set). Default 2. */
  retries?: number;
  /**
   * Send reads (a session record, the polling bus's reads) as a script, which a database that
   * answers plain reads from read replicas runs on its primary: Upstash global databases do, and
   * a replica may not yet hold what another instance just wrote (a new session would read as
   * unknown). `false` sends plain commands (`GET`, `XREAD`…), the cheapest reads. Default: the
   * connection's `primaryReads` — `true` for `RedisRestClient` (Upstash REST), else `false`
   * (node-redis, ioredis). Set it to `true` for a TCP client on an Upstash global database.
   */
  primaryReads?: boolean;
}

/** Whether a command may run twice without harm: then a lost answer is retried. */
export type Repeatable = "idempotent" | "once";

const BASE_DELAY_MS = 25;
const MAX_DELAY_MS = 250;

/**
 * Runs commands for the stores: a deadline per operation (a client that queues commands while
 * disconnected must not hang a request), retries where they are safe, and one error vocabulary:
 * `StoreUnavailableError` for "not now" (the handler answers 503 with Retry-After), a
 * {@link RedisError} for "never".
 *
 * A command that failed with a transient error reply (`LOADING`, `BUSY`…) was not applied and is
 * always retried. One whose answer was lost (connection error, timeout) may have been applied:
 * it is retried only when `idempotent`, and never reported as done.
 *
 * Scripts go by `EVALSHA` (the SHA-1 of their text, computed once): a few dozen bytes instead of
 * the script on every call. A server that does not have the script cached (restarted, flushed,
 * failed over, another cluster node) answers `NOSCRIPT` without running anything; the same
 * operation then sends it with `EVAL`, which caches it, so later calls go by `EVALSHA` again.
 */
export class Commands {
  readonly connection: RedisConnection;
  /** Whether reads go through a script (see {@link CommandOptions.primaryReads}). */
  readonly primaryReads: boolean;
  readonly #timeoutMs: number;
  readonly #attempts: number;

  constructor(client: RedisClientLike, options: CommandOptions = {}) {
    this.connection = toRedisConnection(client);
    this.primaryReads = options.primaryReads ?? this.connection.primaryReads ?? false;
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#attempts = (options.retries ?? 2) + 1;
    // Each operation's deadline is waited for with a timer: past 2^31−1 ms it would fire at once.
    checkTimerMs("timeoutMs", this.#timeoutMs, 1);
    if (!Number.isInteger(this.#attempts) || this.#attempts < 1) {
      throw new RangeError(`retries must be a non-negative integer, got ${options.retries}`);
    }
  }

  /**
   * Sends `command`; resolves its reply or throws `StoreUnavailableError` / {@link RedisError}.
   * A `NOSCRIPT` reply (nothing ran) switches to `fallback` at once, within the same deadline.
   */
  async run(command: string[], repeatable: Repeatable, fallback?: string[]): Promise<RedisReply> {
    const deadline = Date.now() + this.#timeoutMs;
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        return normaliseReply(await this.#attempt(command, deadline));
      } catch (error) {
        failure = error;
      }
      if (fallback && failure instanceof RedisError && failure.reply === "NOSCRIPT") {
        [command, fallback] = [fallback, undefined];
        attempt--; // not an attempt: the command was refused before it ran
        continue;
      }
      if (isFull(failure)) throw unavailable(command, attempt, failure, FULL_RETRY_AFTER_S);
      const transient = failure instanceof RedisError && isTransientReply(failure.reply);
      if (failure instanceof RedisError && !transient) throw failure;
      const delay = Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
      const retry =
        (transient || repeatable === "idempotent") &&
        attempt < this.#attempts &&
        Date.now() + delay < deadline;
      if (!retry) throw unavailable(command, attempt, failure);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /**
   * Runs a Lua script: `EVALSHA`, then `EVAL` if the server does not have it cached. Retrying either is as safe as the script: the store scripts
   * are written to be repeated, except the rate-limit take and the polling bus's publish (`once`).
   */
  eval(script: string, keys: string[], args: string[], repeatable: Repeatable): Promise<RedisReply> {
    const tail = [String(keys.length), ...keys, ...args];
    return this.run(["EVALSHA", scriptSha(script), ...tail], repeatable, ["EVAL", script, ...tail]);
  }

  /**
   * A read of one key, `command key ...args`: a plain command, or with `primaryReads` the same
   * command inside the `READ` script (run on the primary). Its reply has the same shape either way.
   */
  read(command: string, key: string, args: string[] = []): Promise<RedisReply> {
    if (this.primaryReads) return this.eval(READ, [key], [command, ...args], "idempotent");
    return this.run([command, key, ...args], "idempotent");
  }

  /** Waits for `promise` until `deadline`; used for pub/sub calls that do not go through {@link run}. */
  async within<T>(what: string, promise: Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#timeoutMs;
    try {
      return await race(promise, deadline, undefined);
    } catch (error) {
      if (isFull(error)) throw unavailable([what], 1, error, FULL_RETRY_AFTER_S);
      if (error instanceof RedisError && !isTransientReply(error.reply)) throw error;
      throw unavailable([what], 1, error);
    }
  }

  #attempt(command: string[], deadline: number): Promise<unknown> {
    const controller = new AbortController();
    return race(this.connection.send(command, controller.signal), deadline, controller);
  }
}

class TimeoutError extends Error {
  constructor() {
    super("no answer before the deadline");
    this.name = "TimeoutError";
  }
}

function race<T>(promise: Promise<T>, deadline: number, controller: AbortController | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        const error = new TimeoutError();
        controller?.abort(error);
        reject(error);
      },
      Math.max(0, deadline - Date.now()),
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Redis at its `maxmemory` with `noeviction` refuses writes with `OOM`: the deployment's global
 * bound on what clients can make it store. Not retried now (it will not clear in milliseconds),
 * but "not now" for the client: 503 with a longer Retry-After, while expiring sessions free room.
 */
const FULL_RETRY_AFTER_S = 30;

function isFull(error: unknown): boolean {
  return error instanceof RedisError && error.reply === "OOM";
}

function unavailable(
  command: string[],
  attempts: number,
  cause: unknown,
  retryAfterSeconds?: number,
): StoreUnavailableError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreUnavailableError(`Redis ${command[0]} failed after ${attempts} attempt(s): ${reason}`, {
    cause,
    retryAfterSeconds: retryAfterSeconds ?? (isStoreUnavailable(cause) ? cause.retryAfterSeconds : 1),
  });
}

/**
 * Replies in one shape whatever the client: bytes (a client configured to return Buffers) become
 * text, and a RESP3 map — node-redis 5+ speaks RESP3 and hands maps over as objects (or `Map`s),
 * where ioredis flattens them — becomes the flat `[key, value, …]` array RESP2 would send for a
 * map-shaped reply. Everything else is kept.
 */
export function normaliseReply(reply: unknown): RedisReply {
  if (reply === undefined || reply === null) return null;
  if (typeof reply === "string" || typeof reply === "number") return reply;
  if (typeof reply === "bigint") return Number(reply);
  if (Array.isArray(reply)) return reply.map(normaliseReply);
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply);
  if (reply instanceof Map) return [...reply].flat().map(normaliseReply);
  const prototype = typeof reply === "object" ? Object.getPrototypeOf(reply) : undefined;
  if (prototype === Object.prototype || prototype === null) {
    return Object.entries(reply as object)
      .flat()
      .map(normaliseReply);
  }
  throw new RedisError(`Redis answered with an unexpected ${typeof reply}`, "UNEXPECTED");
}
