import { StoreUnavailableError } from "@portico/core";
import type { RedisConnection } from "./connection.ts";
import { RedisError } from "./errors.ts";

/** Options for {@link RedisRestClient}. */
export interface RedisRestClientOptions {
  /** The REST endpoint, e.g. Upstash's `UPSTASH_REDIS_REST_URL` (`https://<name>.upstash.io`). */
  url: string;
  /** The bearer token, e.g. `UPSTASH_REDIS_REST_TOKEN`. */
  token: string;
  /** The fetch to use; defaults to the global `fetch` (looked up on every call). */
  fetch?: typeof fetch;
  /**
   * Send back the `upstash-sync-token` of the last answer, so that this client reads its own
   * writes on a database with read replicas (as `@upstash/redis` does). Default `true`.
   */
  readYourWrites?: boolean;
}

const SYNC_TOKEN = "upstash-sync-token";

/**
 * A {@link RedisConnection} over Upstash's REST API: each command is one `fetch` of `POST <url>`
 * with the command as a JSON array, answered `{ "result": … }` or `{ "error": "…" }`. No `node:`
 * import and no dependency, so it runs on Vercel Edge, Cloudflare Workers, Deno and Node alike.
 * It has no pub/sub connection: the stores use the polling bus with it.
 *
 * Network errors, 5xx and 429 answers reject with `StoreUnavailableError`; an error reply with
 * a {@link RedisError} carrying Redis's error code; any other refusal (401 for a wrong token)
 * with a {@link RedisError} whose `reply` is `HTTP<status>`.
 */
export class RedisRestClient implements RedisConnection {
  readonly url: string;
  /**
   * Upstash answers plain reads of a global database from the nearest read replica, and runs
   * scripts on the primary: the stores read through scripts by default (their `primaryReads`).
   */
  readonly primaryReads = true;
  readonly #token: string;
  readonly #fetch: typeof fetch | undefined;
  readonly #readYourWrites: boolean;
  #syncToken = "";

  constructor(options: RedisRestClientOptions) {
    if (!/^https?:\/\//.test(options.url)) {
      throw new TypeError(`url must be an http(s) URL, got ${JSON.stringify(options.url)}`);
    }
    if (!options.token) throw new TypeError("token is required");
    this.url = options.url.replace(/\/+$/, "");
    this.#token = options.token;
    this.#fetch = options.fetch;
    this.#readYourWrites = options.readYourWrites ?? true;
  }

  async send(command: string[], signal?: AbortSignal): Promise<unknown> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      "content-type": "application/json",
    };
    if (this.#readYourWrites && this.#syncToken !== "") headers[SYNC_TOKEN] = this.#syncToken;
    const doFetch = this.#fetch ?? globalThis.fetch;
    let response: Response;
    let text: string;
    try {
      response = await doFetch(this.url, {
        method: "POST",
        headers,
        body: JSON.stringify(command),
        ...(signal ? { signal } : {}),
      });
      text = await response.text();
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new StoreUnavailableError(`Redis REST ${command[0]}: network error: ${reason}`, { cause });
    }
    if (this.#readYourWrites) this.#syncToken = response.headers.get(SYNC_TOKEN) ?? this.#syncToken;
    if (response.status >= 500 || response.status === 429) {
      throw new StoreUnavailableError(
        `Redis REST ${command[0]}: HTTP ${response.status}: ${text.slice(0, 200)}`,
        { retryAfterSeconds: response.status === 429 ? 2 : 1 },
      );
    }
    let body: { result?: unknown; error?: unknown } | undefined;
    try {
      body = JSON.parse(text) as { result?: unknown; error?: unknown };
    } catch {
      body = undefined;
    }
    if (typeof body?.error === "string") {
      const code = /^[A-Z][A-Z0-9_]+(?= |$)/.exec(body.error)?.[0] ?? `HTTP${response.status}`;
      throw new RedisError(`Redis REST ${command[0]}: ${body.error}`, code);
    }
    if (!response.ok || body === undefined || !("result" in body)) {
      throw new RedisError(
        `Redis REST ${command[0]}: unexpected answer (HTTP ${response.status}): ${text.slice(0, 200)}`,
        `HTTP${response.status}`,
      );
    }
    return body.result;
  }
}
