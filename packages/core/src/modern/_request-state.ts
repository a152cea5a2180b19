/**
 * MRTR request state: the answers gathered so far, bound to the originating request and the
 * caller, sealed with HMAC-SHA-256 so a client can carry it but not forge or alter it.
 */
import type { ExecutionContextLike } from "../definition/types.ts";
import { type ErrorReporter, notice } from "../errors.ts";
import { canonicalJson, fromBase64Url, randomId, toBase64Url } from "../util/encoding.ts";

export interface RequestStatePayload {
  /** Version of this format. */
  v: 1;
  /** Binding: digest of method + target + arguments. */
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

export class RequestStateSealer {
  readonly #key: Promise<CryptoKey>;

  constructor(secret: string | Uint8Array) {
    const raw = typeof secret === "string" ? encoder.encode(secret) : secret;
    this.#key = crypto.subtle.importKey(
      "raw",
      raw as BufferSource,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
  }

  async seal(payload: RequestStatePayload): Promise<string> {
    const body = toBase64Url(encoder.encode(JSON.stringify(payload)));
    const mac = await crypto.subtle.sign("HMAC", await this.#key, encoder.encode(body));
    return `${body}.${toBase64Url(new Uint8Array(mac))}`;
  }

  /** The payload, or `undefined` if the state is malformed, forged, altered or expired. */
  async open(state: string, now: number): Promise<RequestStatePayload | undefined> {
    const dot = state.indexOf(".");
    if (dot <= 0 || state.length > 1_000_000) return undefined;
    const body = state.slice(0, dot);
    try {
      const mac = fromBase64Url(state.slice(dot + 1));
      const ok = await crypto.subtle.verify(
        "HMAC",
        await this.#key,
        mac as BufferSource,
        encoder.encode(body),
      );
      if (!ok) return undefined;
      const payload = JSON.parse(new TextDecoder().decode(fromBase64Url(body))) as RequestStatePayload;
      if (payload.v !== 1 || typeof payload.e !== "number" || payload.e < now) return undefined;
      if (typeof payload.r !== "object" || payload.r === null) return undefined;
      return payload;
    } catch {
      return undefined;
    }
  }
}

/** Digest binding a state to its request: method, target (tool/prompt name or URI) and arguments. */
export async function bindingOf(method: string, target: string, args: unknown): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    encoder.encode(canonicalJson([method, target, args ?? {}])),
  );
  return toBase64Url(new Uint8Array(digest));
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
