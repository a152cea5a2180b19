/**
 * MRTR request state: the answers gathered so far, bound to the originating request and the
 * caller, sealed with HMAC-SHA-256 so a client can carry it but not forge or alter it. Hashed in
 * plain JavaScript (@portico/host), not WebCrypto: a retry that reaches a fresh instance would
 * otherwise load Node's whole WebCrypto to check it (8–25 ms of a Lambda cold start).
 */
import { hmacSha256, sha256 } from "@portico/host";
import type { ExecutionContextLike } from "../definition/types.ts";
import { ErrorCode, type ErrorReporter, McpError, notice } from "../errors.ts";
import { canonicalJson, fromBase64Url, randomId, toBase64Url } from "../util/encoding.ts";

export interface RequestStatePayload {
  /** Version of this format. */
  v: 1;
  /** Binding: digest of the server's name + method + target + arguments. */
  b: string;
  /** The principal (`principalOf` the caller) the state was issued to; `null` for anonymous. */
  s: string | null;
  /** Expiry, epoch ms. */
  e: number;
  /** Input responses gathered in earlier rounds. */
  r: Record<string, unknown>;
  /** Nonce: every issued state differs; a state is used once (claimed in the session store). */
  n: string;
}

const encoder = new TextEncoder();

/** Whether two MACs are equal, in time that depends only on the expected one's length. */
function sameMac(given: Uint8Array, expected: Uint8Array): boolean {
  let difference = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) difference |= (given[i] ?? 0) ^ (expected[i] as number);
  return difference === 0;
}

/** Longest `requestState` the server issues or takes back. */
export const MAX_REQUEST_STATE_CHARS = 1_000_000;

export class RequestStateSealer {
  readonly #key: Uint8Array;

  constructor(secret: string | Uint8Array) {
    this.#key = typeof secret === "string" ? encoder.encode(secret) : new Uint8Array(secret);
  }

  /**
   * The sealed state; refused (-32602) when it would be longer than {@link open} takes back — the
   * answers of earlier rounds it carries are the client's, and a state the server would refuse on
   * the retry must not be issued.
   */
  async seal(payload: RequestStatePayload): Promise<string> {
    const body = toBase64Url(encoder.encode(JSON.stringify(payload)));
    const state = `${body}.${toBase64Url(hmacSha256(this.#key, body))}`;
    if (state.length > MAX_REQUEST_STATE_CHARS) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Invalid params: the input responses given so far are too large to carry in requestState (over ${MAX_REQUEST_STATE_CHARS} characters once sealed)`,
      );
    }
    return state;
  }

  /** The payload, or `undefined` if the state is malformed, forged, altered or expired. */
  async open(state: string, now: number): Promise<RequestStatePayload | undefined> {
    const dot = state.indexOf(".");
    if (dot <= 0 || state.length > MAX_REQUEST_STATE_CHARS) return undefined;
    const body = state.slice(0, dot);
    try {
      const mac = fromBase64Url(state.slice(dot + 1));
      if (!sameMac(mac, hmacSha256(this.#key, body))) return undefined;
      const payload = JSON.parse(new TextDecoder().decode(fromBase64Url(body))) as RequestStatePayload;
      if (payload.v !== 1 || typeof payload.e !== "number" || payload.e < now) return undefined;
      if (typeof payload.r !== "object" || payload.r === null) return undefined;
      return payload;
    } catch {
      return undefined;
    }
  }
}

/**
 * Digest binding a state to its request — method, target (tool/prompt name or URI) and arguments —
 * and to the server that asked, by its name: two servers that share a secret (one
 * `PORTICO_SECRET` for several functions) must not take each other's states, though the instances
 * of one server do.
 */
export async function bindingOf(
  server: string,
  method: string,
  target: string,
  args: unknown,
): Promise<string> {
  return toBase64Url(sha256(canonicalJson([server, method, target, args ?? {}])));
}

/** A random secret for when none is configured (state then only verifies on this instance). */
function ephemeralSecret(): string {
  return randomId(43);
}

const sealers = new WeakMap<object, RequestStateSealer>();
/** Handlers that have said they seal with a random secret on a host of many instances. */
const warned = new WeakSet<object>();

const NO_SECRET =
  "no `secret` is configured on a host that runs many instances: this MRTR requestState, sealed by this instance, will not open on another. Set createHandler(server, { secret: process.env.PORTICO_SECRET }) with the same value (32+ bytes, e.g. `openssl rand -base64 32`) on every instance";

/**
 * Says once per handler (through `onError`) that it seals `requestState` with its own random
 * secret on a host that runs many instances (Lambda, Vercel, Workers), where a retry may reach
 * another instance. Said when the first state is sealed, not at start: a server whose handlers
 * never ask for input does not need a secret, and is not told to set one.
 */
export function warnIfEphemeral(
  handler: { options: { secret: string | Uint8Array | undefined }; report: ErrorReporter },
  host: ExecutionContextLike,
): void {
  if (handler.options.secret !== undefined || host.multiInstance !== true || warned.has(handler)) return;
  warned.add(handler);
  handler.report(notice("no_secret", NO_SECRET), "configuration");
}

/**
 * The sealer of one handler, made on first use (so building a handler draws no random values:
 * Workers forbid that at module scope) from its configured secret or a random one.
 */
export function sealerOf(handler: {
  options: { secret: string | Uint8Array | undefined };
}): RequestStateSealer {
  let sealer = sealers.get(handler);
  if (sealer === undefined) {
    sealer = new RequestStateSealer(handler.options.secret ?? ephemeralSecret());
    sealers.set(handler, sealer);
  }
  return sealer;
}
