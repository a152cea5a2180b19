/** The options of `oauthResourceServer(…)`. */
import type { JSONWebKeySet } from "jose";
import type { FetchLike } from "./_http.ts";
import type { AuthErrorReporter } from "./errors.ts";

/** RFC 7662 token introspection, for access tokens that are not JWTs. */
export interface IntrospectionOptions {
  /** The authorization server's introspection endpoint. */
  endpoint: string;
  /** The resource server's client id at the authorization server (HTTP Basic, `client_secret_basic`). */
  clientId: string;
  clientSecret: string;
  /**
   * `"opaque"` (default): only tokens that are not JWTs are introspected; JWTs are verified locally.
   * `"all"`: every token is introspected and no key set is used (revocation takes effect at once,
   * within the cache's lifetime).
   */
  tokens?: "opaque" | "all";
  /**
   * Most answers kept (least recently used dropped first). Default 1000. Whatever this is, the
   * answers kept total at most 16 MiB of JSON text (an answer may be up to 512 KB). It also bounds
   * the tokens remembered as failed (held back 5 s each), kept apart from the answers.
   */
  cacheSize?: number;
  /**
   * Longest reuse of an active answer, in seconds: a revoked token is accepted at most this long.
   * Default: until the token's `exp` (a token without `exp` is re-checked after 60 s).
   */
  maxCacheSeconds?: number;
}

/** Options of {@link oauthResourceServer}. Only `resource` and an issuer are required. */
export interface OAuthResourceServerOptions {
  /**
   * The canonical URI of this MCP server (RFC 8707 / RFC 9728 `resource`), e.g.
   * `https://mcp.example.com/mcp`: https (http only for localhost), no fragment, no query. Tokens
   * must be issued for it (their `aud`), and its metadata is served under
   * `/.well-known/oauth-protected-resource` + its path.
   */
  resource: string;
  /**
   * Issuer URLs of the authorization servers clients should use (`authorization_servers` of the
   * metadata). Tokens must carry one of them as `iss`, unless `issuer` says otherwise.
   */
  authorizationServers?: readonly string[];
  /**
   * The `iss` values accepted, when they differ from `authorizationServers` (which then defaults to
   * these). Compared as exact strings.
   */
  issuer?: string | readonly string[];
  /** Accepted audience values. Default: the `resource` (URIs compared in canonical form). */
  audience?: string | readonly string[];
  /**
   * The claim carrying the audience: `"aud"` (default, RFC 9068) or `"client_id"` for issuers
   * whose access tokens have no `aud` (Amazon Cognito): `audience` then lists the app client ids
   * whose tokens this server accepts.
   */
  audienceClaim?: "aud" | "client_id";
  /** A local JSON Web Key Set (public keys only; private members and `oct` keys are dropped). */
  jwks?: JSONWebKeySet;
  /** Where the JSON Web Key Set is fetched from. Without `jwks`/`jwksUrl`/`secret`: discovered from the issuer's metadata. */
  jwksUrl?: string;
  /**
   * A shared secret (≥ 32 bytes) for HS256/384/512 tokens. Only with a secret are HS algorithms
   * accepted, and then only they: a public key is never used as an HMAC secret.
   */
  secret?: string | Uint8Array;
  /**
   * Allowed `alg` values. Default: RS256/384/512, PS256/384/512, ES256/384/512, EdDSA (with
   * `secret`: HS256). `none` is never accepted; HS* only with `secret`.
   */
  algorithms?: readonly string[];
  /** Leeway for `exp`/`nbf`, in seconds. Default 30. */
  clockToleranceSeconds?: number;
  /** `scopes_supported` of the metadata. Default: `requiredScopes` when given. */
  scopesSupported?: readonly string[];
  /** Scopes every request needs; a valid token lacking one gets 403 `insufficient_scope`. */
  requiredScopes?: readonly string[];
  /** Claims that must have exactly these values, e.g. `{ token_use: "access" }` for Cognito. */
  requiredClaims?: Readonly<Record<string, string | number | boolean>>;
  /** Token introspection (RFC 7662) for opaque tokens. */
  introspection?: IntrospectionOptions;
  /** Longest token accepted, in bytes. Default 8192; a longer one is refused with 401 unread. */
  maxTokenBytes?: number;
  /** `resource_name` of the metadata. */
  resourceName?: string;
  /** `resource_documentation` of the metadata (a URL). */
  resourceDocumentation?: string;
  /** How long a fetched key set is used before it is refetched, in seconds. Default 600. */
  jwksCacheSeconds?: number;
  /** Shortest interval between two key-set fetches caused by an unknown `kid`, in seconds. Default 30. */
  jwksRefreshCooldownSeconds?: number;
  /**
   * Timeout of each outgoing request (key set, metadata, introspection), in ms: a whole number
   * from 1 to 2^31−1 (about 24.8 days, the longest a timer waits). Default 5000.
   */
  timeoutMs?: number;
  /** The `fetch` used for outgoing requests. Default: the global one. */
  fetch?: FetchLike;
  /**
   * Internal failures (a key set, metadata or introspection endpoint unreachable or answering
   * nonsense), reported once per failed attempt; requests meanwhile get 503 + Retry-After. Bad
   * tokens are never reported. Default: one `console.error` line.
   */
  onError?: AuthErrorReporter;
  /** The clock, epoch ms. Default `Date.now` (tests move it). */
  now?: () => number;
}
