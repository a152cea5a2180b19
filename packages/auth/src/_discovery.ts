/**
 * An authorization server's `jwks_uri`, read from its metadata: RFC 8414
 * (`/.well-known/oauth-authorization-server`), falling back to OpenID Connect Discovery
 * (`/.well-known/openid-configuration`), in the order MCP clients use for an issuer with or without
 * a path. A document is used only if its `issuer` is exactly the issuer asked for (RFC 8414 §3.3).
 * The answer is kept for a day; a failed refresh keeps the previous one.
 */

import { type FetchLike, fetchText, isSecureUrl, parseJsonObject, sharesInFlight } from "./_http.ts";
import { type AuthErrorReporter, AuthUnavailableError } from "./errors.ts";

const METADATA_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Where an issuer's metadata may be, in the order tried. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  const origin = url.origin;
  if (path === "") {
    return [`${origin}/.well-known/oauth-authorization-server`, `${origin}/.well-known/openid-configuration`];
  }
  return [
    `${origin}/.well-known/oauth-authorization-server${path}`,
    `${origin}/.well-known/openid-configuration${path}`,
    `${origin}${path}/.well-known/openid-configuration`,
  ];
}

export interface DiscoveryOptions {
  fetch: FetchLike;
  report: AuthErrorReporter;
  now: () => number;
  backoffMs: number;
  timeoutMs: number;
}

export class IssuerMetadata {
  readonly #issuer: string;
  readonly #options: DiscoveryOptions;
  #jwksUri: string | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #failedUntil = Number.NEGATIVE_INFINITY;
  #pending: Promise<string> | undefined;

  constructor(issuer: string, options: DiscoveryOptions) {
    this.#issuer = issuer;
    this.#options = options;
  }

  /** The issuer's `jwks_uri`; throws {@link AuthUnavailableError} when no metadata can be read. */
  readonly jwksUri = async (): Promise<string> => {
    const { now } = this.#options;
    if (this.#jwksUri !== undefined && now() - this.#fetchedAt < METADATA_MAX_AGE_MS) return this.#jwksUri;
    try {
      return await this.#refresh();
    } catch (error) {
      if (this.#jwksUri !== undefined) return this.#jwksUri;
      throw error;
    }
  };

  #refresh(): Promise<string> {
    if (this.#pending !== undefined && sharesInFlight()) return this.#pending;
    const { now, report, backoffMs } = this.#options;
    if (now() < this.#failedUntil) {
      return Promise.reject(
        new AuthUnavailableError(
          "metadata",
          "authorization server metadata unavailable (backing off)",
          (this.#failedUntil - now()) / 1000,
        ),
      );
    }
    const attempt = this.#discover().then(
      (uri) => {
        this.#jwksUri = uri;
        this.#fetchedAt = now();
        return uri;
      },
      (error: unknown) => {
        this.#failedUntil = now() + backoffMs;
        const unavailable = new AuthUnavailableError(
          "metadata",
          `could not read the metadata of ${this.#issuer}`,
          backoffMs / 1000,
          { cause: error },
        );
        report(unavailable, "metadata");
        throw unavailable;
      },
    );
    const pending = attempt.finally(() => {
      if (this.#pending === pending) this.#pending = undefined;
    });
    this.#pending = pending;
    return pending;
  }

  async #discover(): Promise<string> {
    const { fetch, timeoutMs } = this.#options;
    const problems: string[] = [];
    for (const url of metadataUrls(this.#issuer)) {
      const { status, body } = await fetchText(
        fetch,
        url,
        { method: "GET", headers: { accept: "application/json" } },
        timeoutMs,
      );
      if (status !== 200) {
        problems.push(`${url} answered HTTP ${status}`);
        continue;
      }
      const metadata = parseJsonObject(body, `the metadata at ${url}`);
      if (metadata.issuer !== this.#issuer) {
        problems.push(`${url} names another issuer`);
        continue;
      }
      const uri = metadata.jwks_uri;
      // OpenID Connect Discovery §3: jwks_uri MUST use https (keys fetched in clear could be swapped).
      if (typeof uri !== "string" || !URL.canParse(uri) || !isSecureUrl(new URL(uri))) {
        problems.push(`${url} has no usable (https) jwks_uri`);
        continue;
      }
      return uri;
    }
    throw new Error(problems.join("; "));
  }
}
