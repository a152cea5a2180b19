/**
 * A small MCP client over Fetch for the proxy's upstream: it chooses the protocol era on connect,
 * the modern one (2026-07-28, stateless requests: `modern.ts`) or the legacy one (2025-11-25, a
 * session: `legacy.ts`), then sends each request in it. JSON or SSE answers (`rpc.ts`).
 */

import { UpstreamRpcError, UpstreamTransportError } from "./errors.ts";
import { asObject, type Json } from "./json.ts";
import { LegacySession } from "./legacy.ts";
import { MODERN_VERSION, modernRequest } from "./modern.ts";
import { type ChannelOptions, type RequestOptions, RpcChannel } from "./rpc.ts";

export type UpstreamEra = "modern" | "legacy";

const META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";

export interface ClientOptions extends ChannelOptions {
  era: "auto" | UpstreamEra;
}

/** The upstream, connected: its era and capabilities, and a way to send it requests. */
export class UpstreamClient {
  readonly #mode: "auto" | UpstreamEra;
  readonly #rpc: RpcChannel;
  readonly #legacy: LegacySession;
  #era: UpstreamEra | undefined;
  /** The modern upstream's capabilities (a legacy session keeps its own). */
  #capabilities: Json = {};

  constructor(options: ClientOptions) {
    this.#mode = options.era;
    this.#rpc = new RpcChannel(options);
    this.#legacy = new LegacySession(this.#rpc);
  }

  get era(): UpstreamEra {
    if (this.#era === undefined) throw new Error("UpstreamClient: not connected");
    return this.#era;
  }

  get capabilities(): Json {
    return this.#era === "legacy" ? this.#legacy.capabilities : this.#capabilities;
  }

  /**
   * Learns the era and capabilities: `server/discover` first (unless `era: "legacy"`); a 4xx or a
   * JSON-RPC error (and, under `"auto"`, a result without 2026-07-28 among `supportedVersions`)
   * falls back to `initialize`.
   */
  async connect(signal?: AbortSignal): Promise<void> {
    const mode = this.#mode;
    if (mode !== "legacy") {
      try {
        const result = await modernRequest(this.#rpc, "server/discover", {}, { signal });
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
    await this.#legacy.start(signal);
  }

  /** Sends one request and returns its result (protocol-level fields removed). */
  async request(method: string, params: Json, options: RequestOptions = {}): Promise<Json> {
    const sent =
      options.onNotification === undefined
        ? params
        : { ...params, _meta: { ...asObject(params._meta), progressToken: `proxy-${this.#rpc.upcomingId}` } };
    const result =
      this.era === "modern"
        ? await modernRequest(this.#rpc, method, sent, options)
        : await this.#legacy.request(method, sent, options);
    return cleanResult(result);
  }

  /** Ends a legacy session (`DELETE`); nothing to do for a modern upstream. */
  async close(): Promise<void> {
    await this.#legacy.close();
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
