/**
 * A small MCP client for the proxy's upstream. Over HTTP (Fetch) it chooses the protocol era on
 * connect, the modern one (2026-07-28, stateless requests: `modern.ts`) or the legacy one
 * (2025-11-25, a session: `legacy.ts`), with JSON or SSE answers (`rpc.ts`); over a message
 * transport it speaks the legacy era (`transport.ts`). It also follows the upstream's changes
 * (`follow.ts`).
 */

import { UpstreamRpcError, UpstreamTransportError } from "./errors.ts";
import { type Follower, type FollowHandlers, followLegacy, followModern } from "./follow.ts";
import { asObject, type Json } from "./json.ts";
import { LegacySession } from "./legacy.ts";
import { MODERN_VERSION, modernRequest } from "./modern.ts";
import { type ChannelOptions, type RequestOptions, RpcChannel } from "./rpc.ts";
import { type ProxyTransport, TransportSession } from "./transport.ts";

export type UpstreamEra = "modern" | "legacy";

const META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";

export type ClientOptions = (ChannelOptions & { era: "auto" | UpstreamEra }) | { transport: ProxyTransport };

/** How the upstream's changes reach the proxy, once following started. */
export interface Following {
  /** The resource URIs to watch changed (a modern upstream listens again with them). */
  urisChanged(): void;
  stop(): Promise<void>;
}

/** The upstream, connected: its era and capabilities, and a way to send it requests. */
export class UpstreamClient {
  readonly #mode: "auto" | UpstreamEra;
  readonly #rpc: RpcChannel | undefined;
  readonly #legacy: LegacySession | undefined;
  readonly #transport: TransportSession | undefined;
  #era: UpstreamEra | undefined;
  /** The modern upstream's capabilities (a legacy session keeps its own). */
  #capabilities: Json = {};
  #tokens = 1;

  constructor(options: ClientOptions) {
    if ("transport" in options) {
      this.#mode = "legacy";
      this.#transport = new TransportSession(options.transport);
    } else {
      this.#mode = options.era;
      this.#rpc = new RpcChannel(options);
      this.#legacy = new LegacySession(this.#rpc);
    }
  }

  get era(): UpstreamEra {
    if (this.#era === undefined) throw new Error("UpstreamClient: not connected");
    return this.#era;
  }

  /** Whether the upstream is reached over a message transport (not HTTP). */
  get overTransport(): boolean {
    return this.#transport !== undefined;
  }

  get capabilities(): Json {
    if (this.#transport !== undefined) return this.#transport.capabilities;
    return this.#era === "legacy" ? (this.#legacy as LegacySession).capabilities : this.#capabilities;
  }

  /**
   * Learns the era and capabilities: `server/discover` first (unless `era: "legacy"`); a 4xx or a
   * JSON-RPC error (and, under `"auto"`, a result without 2026-07-28 among `supportedVersions`)
   * falls back to `initialize`. A transport starts a legacy session.
   */
  async connect(signal?: AbortSignal): Promise<void> {
    if (this.#transport !== undefined) {
      this.#era = "legacy";
      await this.#transport.start(signal);
      return;
    }
    const rpc = this.#rpc as RpcChannel;
    const mode = this.#mode;
    if (mode !== "legacy") {
      try {
        const result = await modernRequest(rpc, "server/discover", {}, { signal });
        const versions = result.supportedVersions;
        if (mode === "modern" || !Array.isArray(versions) || versions.includes(MODERN_VERSION)) {
          this.#era = "modern";
          this.#capabilities = asObject(result.capabilities);
          return;
        }
      } catch (error) {
        const fallBack =
          error instanceof UpstreamRpcError ||
          (error instanceof UpstreamTransportError &&
            (error.kind === "protocol" ||
              (error.kind === "refused" && error.status !== undefined && error.status < 500)));
        if (mode === "modern" || !fallBack) throw error;
      }
    }
    this.#era = "legacy";
    await (this.#legacy as LegacySession).start(signal);
  }

  /** Sends one request and returns its result (protocol-level fields removed). */
  async request(method: string, params: Json, options: RequestOptions = {}): Promise<Json> {
    const sent =
      options.onNotification === undefined
        ? params
        : { ...params, _meta: { ...asObject(params._meta), progressToken: `proxy-${this.#tokens++}` } };
    let result: Json;
    if (this.#transport !== undefined) result = await this.#transport.request(method, sent, options);
    else if (this.era === "modern")
      result = await modernRequest(this.#rpc as RpcChannel, method, sent, options);
    else result = await (this.#legacy as LegacySession).request(method, sent, options);
    return cleanResult(result);
  }

  /**
   * Starts following the upstream's notifications outside calls: on the transport, or on a
   * reconnecting stream over HTTP (`uris()`: the resources a modern upstream is asked to watch).
   */
  follow(handlers: FollowHandlers, uris: () => readonly string[] | undefined): Following {
    const transport = this.#transport;
    if (transport !== undefined) {
      transport.onNotification = handlers.onNotification;
      transport.onError = handlers.onError;
      return {
        urisChanged: () => {},
        stop: async () => {
          transport.onNotification = undefined;
        },
      };
    }
    if (this.era === "modern") return followModern(this.#rpc as RpcChannel, handlers, uris);
    const follower: Follower = followLegacy(this.#legacy as LegacySession, handlers);
    return { urisChanged: () => {}, stop: () => follower.stop() };
  }

  /** Ends a legacy session (`DELETE`) or closes the transport; nothing to do for a modern upstream. */
  async close(): Promise<void> {
    await this.#legacy?.close();
    await this.#transport?.close();
  }
}

/** Removes what the proxy's own server sets again: `resultType`, cache hints, the upstream's serverInfo. */
function cleanResult(result: Json): Json {
  const { resultType: _t, ttlMs: _ttl, cacheScope: _scope, ...rest } = result;
  const meta = rest._meta;
  if (meta !== null && typeof meta === "object" && META_SERVER_INFO in meta) {
    const { [META_SERVER_INFO]: _info, ...others } = meta as Json;
    if (Object.keys(others).length === 0) delete rest._meta;
    else rest._meta = others;
  }
  return rest;
}
