/**
 * A real OAuth 2.1 / OpenID authorization server for the tests: oidc-provider on 127.0.0.1 (a free
 * port), with
 *
 * - dynamic client registration (RFC 7591) open to anyone, as MCP clients expect;
 * - the authorization code grant with PKCE required for every client (oidc-provider 9 only offers
 *   S256);
 * - resource indicators (RFC 8707): access tokens are RFC 9068 JWTs whose `aud` is the MCP server's
 *   resource URI, for the resources registered with `addResource` only, with the scopes
 *   `notes:read notes:write`;
 * - login and consent answered by the test's own user agent (./interactions.ts), no browser.
 *
 * Plain http on 127.0.0.1 needs no special switch in oidc-provider 9: the issuer may be any http(s)
 * URL, its cookies are marked `Secure` only on https requests, and native clients (the MCP SDK
 * registers `application_type: "native"` for a loopback redirect URI) may use
 * `http://127.0.0.1/...` redirect URIs. What does require https — client ID metadata documents
 * (`features.clientIdMetadataDocument`, whose client ids must be https URLs) — is left off, so
 * clients register dynamically. The MCP SDK's own https rule for token endpoints exempts loopback
 * hosts.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errors, Provider } from "oidc-provider";
import { type InteractionEvent, serveInteraction } from "./interactions.ts";
import { memoryAdapter } from "./memory-adapter.ts";
import { generateSigningJwk } from "./signing-key.ts";
import { findAccount } from "./test-account.ts";

/** The scopes of the notes MCP server, as the authorization server grants them. */
export const NOTES_SCOPES = ["notes:read", "notes:write"] as const;

export interface ReceivedRequest {
  method: string;
  path: string;
  userAgent: string | undefined;
}

export interface AuthorizationServer {
  /** `http://127.0.0.1:<port>` */
  issuer: string;
  /** The `jwks_uri` from the server's own metadata. */
  jwksUrl: string;
  /** Allows access tokens for this resource indicator (an MCP server's resource URI). */
  addResource(resource: string): void;
  /** Logins and consents, in order. */
  readonly interactions: InteractionEvent[];
  /** Every request the server received, in order. */
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startAuthorizationServer(): Promise<AuthorizationServer> {
  const resources = new Set<string>();
  const interactions: InteractionEvent[] = [];
  const requests: ReceivedRequest[] = [];
  // Set once the provider exists (its issuer needs the port, known once listening).
  let route = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => route(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    findAccount,
    jwks: { keys: [generateSigningJwk()] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    // `scopes_supported`: the OpenID scope and the notes server's scopes (which the registration
    // validator below needs to know).
    scopes: ["openid", ...NOTES_SCOPES],
    // OAuth 2.1: the authorization code flow only (no implicit or hybrid response types), with PKCE.
    responseTypes: ["code"],
    pkce: { required: () => true },
    features: {
      // The built-in HTML login/consent pages are replaced by ./interactions.ts.
      devInteractions: { enabled: false },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // A token request for a code that was issued for one resource gets a token for it.
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          if (!resources.has(indicator)) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            scope: NOTES_SCOPES.join(" "),
            accessTokenFormat: "jwt",
            accessTokenTTL: 600,
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
    // The MCP SDK registers with `scope` set to the scope of the first challenge (`notes:read`),
    // and oidc-provider takes a registered `scope` as the most that client may ever ask for, which
    // would refuse the later step-up to `notes:write` with `invalid_scope`. This server's policy is
    // that consent, not registration, limits what a client gets: the registered `scope` is dropped.
    // (oidc-provider runs this validator for each listed property and lets it edit the metadata.)
    extraClientMetadata: {
      properties: ["scope"],
      validator: (_ctx: unknown, key: string, _value: unknown, metadata: Record<string, unknown>) => {
        if (key === "scope") delete metadata.scope;
      },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    // Errors as JSON (the user agent is a program, and test failures then show the reason).
    renderError: (ctx: { type: string; body: unknown }, out: Record<string, string>) => {
      ctx.type = "application/json";
      ctx.body = out;
    },
  });

  provider.on("server_error", (_ctx: unknown, error: unknown) => {
    console.error("[auth-e2e authorization server] server_error", error);
  });
  const callback = provider.callback();
  route = (req, res) => {
    const path = new URL(req.url ?? "/", issuer).pathname;
    requests.push({ method: req.method ?? "GET", path, userAgent: req.headers["user-agent"] });
    serveInteraction(provider, interactions, req, res)
      .then((served) => {
        if (!served) callback(req, res);
      })
      .catch((error: unknown) => {
        console.error("[auth-e2e authorization server]", error);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "server_error", error_description: String(error) }));
      });
  };

  const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };

  return {
    issuer,
    jwksUrl: metadata.jwks_uri,
    addResource: (resource) => {
      resources.add(resource);
    },
    interactions,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
