/** The identifiers MCP Apps (SEP-1865, `io.modelcontextprotocol/ui`, 2026-01-26) puts on the wire. */

/** The extension's identifier, the key under `capabilities.extensions`. */
export const APPS_EXTENSION_ID = "io.modelcontextprotocol/ui";

/** The MIME type of an MCP App's HTML resource. */
export const APP_MIME_TYPE = "text/html;profile=mcp-app";

/** The URI scheme of UI resources. */
export const UI_SCHEME = "ui://";

/**
 * The flat `_meta` key older hosts read a tool's UI from (deprecated by the spec in favour of
 * `_meta.ui.resourceUri`, which hosts must also check): written next to it for compatibility.
 */
export const LEGACY_RESOURCE_URI_KEY = "ui/resourceUri";
