/**
 * The extension declaration and the client check: a server with an app resource or an app tool
 * declares `io.modelcontextprotocol/ui` under `capabilities.extensions` in both eras (`initialize`
 * and `server/discover`); a handler asks `hostSupportsApps(ctx)` before counting on a rendered UI.
 */
import {
  addExtension,
  clientExtension,
  type HandlerContext,
  type McpExtension,
  type McpServer,
} from "@portico/core";
import { APP_MIME_TYPE, APPS_EXTENSION_ID } from "./constants.ts";

/**
 * The declaration: the spec defines settings for the client side only (`mimeTypes`, required);
 * the server declares the same shape, naming the one content type it serves.
 */
const APPS_EXTENSION: McpExtension = {
  id: APPS_EXTENSION_ID,
  settings: { mimeTypes: [APP_MIME_TYPE] },
};

/**
 * Declares the MCP Apps extension on `server` in both eras. `addAppResource` and `addAppTool` call
 * it; calling it again changes nothing.
 */
export function enableApps(server: McpServer): void {
  addExtension(server, APPS_EXTENSION);
}

/**
 * Whether the client (the host) declared MCP Apps support with HTML apps
 * (`capabilities.extensions["io.modelcontextprotocol/ui"].mimeTypes` includes
 * `text/html;profile=mcp-app`) — in the legacy era from `initialize`, in the modern era from the
 * request's own capabilities. A tool answers such a host with data for its UI and any other with a
 * text result that stands on its own.
 */
export function hostSupportsApps(ctx: Pick<HandlerContext, "clientCapabilities">): boolean {
  const mimeTypes = clientExtension(ctx, APPS_EXTENSION_ID)?.mimeTypes;
  return Array.isArray(mimeTypes) && mimeTypes.includes(APP_MIME_TYPE);
}
