/** The absolute URL an operation's path is appended to. */
import { PorticoError } from "@portico/core";
import type { LoadedDocument } from "./document.ts";
import type { Operation } from "./operations.ts";
import { isObject } from "./util.ts";

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `options.baseUrl`, checked, without a trailing `/`. */
export function checkBaseUrl(baseUrl: unknown): string {
  if (typeof baseUrl !== "string" || !ABSOLUTE.test(baseUrl) || !URL.canParse(baseUrl)) {
    throw new PorticoError(
      "invalid_base_url",
      `options.baseUrl must be an absolute URL (https://api.example.com/v1), not ${JSON.stringify(baseUrl)}`,
    );
  }
  return baseUrl.replace(/\/+$/, "");
}

/** A server object's URL with its variables at their defaults. */
function serverUrl(server: unknown): string {
  if (!isObject(server) || typeof server.url !== "string") return "/";
  const variables = isObject(server.variables) ? server.variables : {};
  return server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const variable = variables[name];
    const value = isObject(variable) ? variable.default : undefined;
    if (typeof value !== "string") {
      throw new PorticoError(
        "invalid_server_url",
        `The server URL ${JSON.stringify(server.url)} has the variable ${whole} without a default: give options.baseUrl`,
      );
    }
    return value;
  });
}

/**
 * The base URL of an operation: `options.baseUrl` when given, else the first server of the
 * operation, of its path, or of the document (OpenAPI's default is `/`). A relative server URL
 * needs `baseUrl`.
 */
export function baseUrlOf(doc: LoadedDocument, op: Operation, baseUrl: string | undefined): string {
  if (baseUrl !== undefined) return baseUrl;
  const servers = [op.servers, doc.root.servers].find((s) => Array.isArray(s) && s.length > 0) as
    | unknown[]
    | undefined;
  const url = serverUrl(servers?.[0]);
  if (!ABSOLUTE.test(url) || !URL.canParse(url)) {
    throw new PorticoError(
      "relative_server_url",
      `The OpenAPI document's server URL ${JSON.stringify(url)} is not absolute: give options.baseUrl, the absolute URL its paths are appended to (e.g. "https://api.example.com${url === "/" ? "" : url}")`,
    );
  }
  return url.replace(/\/+$/, "");
}
