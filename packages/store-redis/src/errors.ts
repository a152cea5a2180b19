import { PorticoError } from "@portico/core";

/**
 * Redis refused a command for a reason that retrying cannot fix: an error reply such as
 * `WRONGTYPE` or `ERR …` (a key of this store overwritten by something else, a server without
 * Lua or Streams, a value over the server's limits), or a REST endpoint refusing the token.
 * Connections throw it for every error reply; the stores retry the transient ones (`LOADING`,
 * `BUSY`, `TRYAGAIN`, `MASTERDOWN`, `CLUSTERDOWN`, `READONLY`) and report them, like unreachable
 * servers and timeouts, as `StoreUnavailableError`.
 */
export class RedisError extends PorticoError {
  /** The first word of Redis's error reply (`ERR`, `WRONGTYPE`, …), or `HTTP<status>` over REST. */
  readonly reply: string;

  constructor(message: string, reply: string, options?: { cause?: unknown }) {
    super("redis_error", message, options);
    this.name = "RedisError";
    this.reply = reply;
  }
}

/** Error replies that say "not now" rather than "never": the command was not applied. */
const TRANSIENT_REPLIES = new Set(["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN", "READONLY"]);

/** True when `reply` (the error reply's first word) means the server may accept the command later. */
export function isTransientReply(reply: string): boolean {
  return TRANSIENT_REPLIES.has(reply);
}
