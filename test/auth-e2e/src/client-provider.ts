/**
 * The MCP client's OAuth state, in memory: an `OAuthClientProvider` of the MCP SDK (v2,
 * `@modelcontextprotocol/client`) for one end-user session. Registration, tokens, the PKCE
 * verifier and the discovery state are kept as the SDK hands them over; `redirectToAuthorization`
 * sends the test's user agent through the authorization server and keeps the redirect's query, which
 * the test then passes to `transport.finishAuth(…)` — as an app would from its redirect handler.
 */
import { randomBytes } from "node:crypto";
import type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client";
import type { TestUserAgent } from "./user-agent.ts";

/** A loopback redirect URI (RFC 8252 §7.3). Nothing listens there: the user agent stops before it. */
export const REDIRECT_URI = "http://127.0.0.1/oauth/callback";

/** One trip through the authorization endpoint. */
export interface AuthorizationRecord {
  /** The authorization request as the SDK built it. */
  url: URL;
  /** The prompts the user agent answered (`login`, `consent`). */
  prompts: string[];
}

export class TestOAuthClientProvider implements OAuthClientProvider {
  readonly authorizations: AuthorizationRecord[] = [];
  readonly #agent: TestUserAgent;
  #client: StoredOAuthClientInformation | undefined;
  #tokens: StoredOAuthTokens | undefined;
  #verifier: string | undefined;
  #discovery: OAuthDiscoveryState | undefined;
  #state: string | undefined;
  #callback: URLSearchParams | undefined;

  constructor(agent: TestUserAgent) {
    this.#agent = agent;
  }

  get redirectUrl(): string {
    return REDIRECT_URI;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "Portico auth e2e",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      // A public client: no secret, so PKCE is its only proof at the token endpoint.
      token_endpoint_auth_method: "none",
    };
  }

  state(): string {
    this.#state = randomBytes(16).toString("base64url");
    return this.#state;
  }

  clientInformation(): StoredOAuthClientInformation | undefined {
    return this.#client;
  }

  saveClientInformation(information: StoredOAuthClientInformation): void {
    this.#client = information;
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.#tokens;
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    this.#tokens = tokens;
  }

  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }

  codeVerifier(): string {
    if (this.#verifier === undefined) throw new Error("no PKCE code verifier was saved");
    return this.#verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discovery;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "all" || scope === "client") this.#client = undefined;
    if (scope === "all" || scope === "tokens") this.#tokens = undefined;
    if (scope === "all" || scope === "verifier") this.#verifier = undefined;
    if (scope === "all" || scope === "discovery") this.#discovery = undefined;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const outcome = await this.#agent.authorize(authorizationUrl, REDIRECT_URI);
    this.authorizations.push({ url: authorizationUrl, prompts: outcome.prompts });
    const { callback } = outcome;
    if (callback.has("error")) {
      throw new Error(
        `authorization refused: ${callback.get("error")} ${callback.get("error_description") ?? ""}`,
      );
    }
    if (callback.get("state") !== this.#state)
      throw new Error("the authorization response's state does not match");
    this.#callback = callback;
  }

  /** The query of the last redirect to the client (code, state, iss), once: for `finishAuth`. */
  takeCallback(): URLSearchParams {
    const callback = this.#callback;
    if (callback === undefined) throw new Error("no authorization response is waiting");
    this.#callback = undefined;
    return callback;
  }
}
