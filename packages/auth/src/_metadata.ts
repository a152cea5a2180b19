/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): where it lives for a resource, the document,
 * and the answers to GET/HEAD/OPTIONS on it. Public, cacheable, and readable cross-origin (a browser
 * client discovers the authorization server from it before it has any credentials).
 */

const WELL_KNOWN = "/.well-known/oauth-protected-resource";

export interface MetadataLocation {
  /** The metadata URL for the resource (RFC 9728 §3.1): the well-known path inserted before the resource's path. */
  url: string;
  /** Request paths answered with the document: the path-suffixed one and the root one. */
  paths: ReadonlySet<string>;
}

export function metadataLocation(resource: URL): MetadataLocation {
  const path = resource.pathname === "/" ? "" : resource.pathname;
  return {
    url: `${resource.origin}${WELL_KNOWN}${path}`,
    paths: new Set([`${WELL_KNOWN}${path}`, WELL_KNOWN]),
  };
}

export interface MetadataFields {
  resource: string;
  authorizationServers: readonly string[];
  scopesSupported: readonly string[] | undefined;
  resourceName: string | undefined;
  resourceDocumentation: string | undefined;
}

/** The JSON document, with RFC 9728's member names; absent fields are left out. */
export function metadataDocument(fields: MetadataFields): string {
  const document: Record<string, unknown> = {
    resource: fields.resource,
    authorization_servers: fields.authorizationServers,
  };
  if (fields.scopesSupported !== undefined) document.scopes_supported = fields.scopesSupported;
  document.bearer_methods_supported = ["header"];
  if (fields.resourceName !== undefined) document.resource_name = fields.resourceName;
  if (fields.resourceDocumentation !== undefined)
    document.resource_documentation = fields.resourceDocumentation;
  return JSON.stringify(document);
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "*",
};

/** The answer for a request to one of the metadata `paths`, or `undefined` for any other path. */
export function serveMetadata(
  request: Request,
  location: MetadataLocation,
  document: string,
): Response | undefined {
  const { pathname } = new URL(request.url);
  if (!location.paths.has(pathname)) return undefined;
  switch (request.method) {
    case "GET":
    case "HEAD":
      return new Response(request.method === "GET" ? document : null, {
        status: 200,
        headers: {
          "content-type": "application/json",
          "cache-control": "public, max-age=3600",
          ...CORS,
        },
      });
    case "OPTIONS":
      return new Response(null, { status: 204, headers: { ...CORS, "access-control-max-age": "86400" } });
    default:
      return new Response(null, { status: 405, headers: { allow: "GET, HEAD, OPTIONS" } });
  }
}
