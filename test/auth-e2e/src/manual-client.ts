/**
 * A hand-written OAuth client (no SDK) for the checks the SDK would never make: a token for some
 * other resource, and an authorization request without PKCE.
 */
import { createHash, randomBytes } from "node:crypto";
import { REDIRECT_URI } from "./client-provider.ts";
import type { TestUserAgent } from "./user-agent.ts";

/** Registers a public native client (RFC 7591) and returns its `client_id`. */
export async function registerClient(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/reg`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Portico auth e2e (manual)",
      application_type: "native",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    }),
  });
  if (response.status !== 201)
    throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { client_id: string }).client_id;
}

export interface AuthorizationRequest {
  clientId: string;
  resource: string;
  scope: string;
  /** Default true; false leaves `code_challenge` out. */
  pkce?: boolean;
}

/** Sends the user agent through the authorization endpoint; the redirect's query and the verifier. */
export async function authorize(
  issuer: string,
  agent: TestUserAgent,
  request: AuthorizationRequest,
): Promise<{ callback: URLSearchParams; verifier: string }> {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL(`${issuer}/auth`);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", request.clientId);
  url.searchParams.set("redirect_uri", REDIRECT_URI);
  url.searchParams.set("scope", request.scope);
  url.searchParams.set("resource", request.resource);
  url.searchParams.set("state", randomBytes(8).toString("base64url"));
  if (request.pkce !== false) {
    url.searchParams.set("code_challenge", createHash("sha256").update(verifier).digest("base64url"));
    url.searchParams.set("code_challenge_method", "S256");
  }
  const { callback } = await agent.authorize(url, REDIRECT_URI);
  return { callback, verifier };
}

/** The whole authorization code + PKCE flow; the access token. */
export async function obtainAccessToken(
  issuer: string,
  agent: TestUserAgent,
  request: Omit<AuthorizationRequest, "clientId" | "pkce">,
): Promise<string> {
  const clientId = await registerClient(issuer);
  const { callback, verifier } = await authorize(issuer, agent, { ...request, clientId });
  const code = callback.get("code");
  if (code === null) throw new Error(`no code: ${callback.toString()}`);
  const response = await fetch(`${issuer}/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: clientId,
      resource: request.resource,
    }),
  });
  if (response.status !== 200)
    throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
