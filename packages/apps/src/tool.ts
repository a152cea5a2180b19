/**
 * `addAppTool`: a tool linked to its UI resource through `_meta.ui.resourceUri` (and the flat
 * `_meta["ui/resourceUri"]` older hosts read), with who may call it (`_meta.ui.visibility`).
 */
import {
  addTool,
  type McpServer,
  PorticoError,
  type Registration,
  type SchemaLike,
  type ToolConfig,
  type ToolHandler,
} from "@portico/core";
import { LEGACY_RESOURCE_URI_KEY } from "./constants.ts";
import { enableApps } from "./extension.ts";
import { hasUi } from "./registry.ts";
import { checkUiUri } from "./ui-uri.ts";

/** Who may call a tool: `"model"` (the agent sees and calls it), `"app"` (its UI calls it through the host). */
export type AppVisibility = "model" | "app";

/** A tool's link to its UI. */
export interface AppToolUi {
  /** The `ui://` resource rendering its results (registered with `addAppResource` first). */
  readonly resourceUri: string;
  /**
   * Who may call it. Default (omitted): both. `["app"]`: a tool only the UI calls (a refresh
   * button) — hosts keep it from the model; `["model"]`: hosts refuse it to apps.
   */
  readonly visibility?: readonly AppVisibility[];
}

/** `_meta.ui` of a tool, as on the wire. */
export interface AppToolUiMeta {
  resourceUri: string;
  visibility?: AppVisibility[];
}

export interface AppToolConfig<I extends SchemaLike | undefined, O extends SchemaLike | undefined>
  extends ToolConfig<I, O> {
  /** Its UI: the `ui://` URI, or the URI and the tool's visibility. */
  readonly ui: string | AppToolUi;
}

const VISIBILITIES: readonly AppVisibility[] = ["model", "app"];

/**
 * Registers a tool whose results an MCP App renders: `addTool` with `_meta.ui` linking the UI
 * resource (which must be registered on `server` with `addAppResource` already, else
 * `PorticoError` `unknown_ui`), and the extension declared. Hosts without MCP Apps see an ordinary
 * tool: return text content that stands on its own next to the `structuredContent` the UI draws
 * (`hostSupportsApps(ctx)` tells which host is calling).
 */
export function addAppTool<
  I extends SchemaLike | undefined = undefined,
  O extends SchemaLike | undefined = undefined,
>(server: McpServer, name: string, config: AppToolConfig<I, O>, handler: ToolHandler<I, O>): Registration {
  if (typeof config !== "object" || config === null) {
    throw new PorticoError("invalid_app_tool", `App tool "${name}" needs a config with its ui`);
  }
  const { ui, ...tool } = config;
  const link: AppToolUi = typeof ui === "string" ? { resourceUri: ui } : ui;
  if (typeof link !== "object" || link === null) {
    throw new PorticoError(
      "invalid_app_tool",
      `App tool "${name}": ui must be a ui:// URI or { resourceUri, visibility }`,
    );
  }
  checkUiUri(link.resourceUri, `App tool "${name}"`);
  if (!hasUi(server, link.resourceUri)) {
    throw new PorticoError(
      "unknown_ui",
      `App tool "${name}" links the UI resource "${link.resourceUri}", which this server does not have: register it first with addAppResource(server, "${link.resourceUri}", { html, … })`,
    );
  }
  if (tool._meta !== undefined && ("ui" in tool._meta || LEGACY_RESOURCE_URI_KEY in tool._meta)) {
    throw new PorticoError(
      "invalid_app_tool",
      `App tool "${name}": link its UI with the ui option, not _meta.ui or _meta["${LEGACY_RESOURCE_URI_KEY}"]`,
    );
  }
  const meta: AppToolUiMeta = { resourceUri: link.resourceUri };
  if (link.visibility !== undefined) meta.visibility = visibilityOf(name, link.visibility);
  enableApps(server);
  return addTool(
    server,
    name,
    { ...tool, _meta: { ...tool._meta, ui: meta, [LEGACY_RESOURCE_URI_KEY]: link.resourceUri } },
    handler,
  );
}

function visibilityOf(name: string, visibility: readonly AppVisibility[]): AppVisibility[] {
  if (
    !Array.isArray(visibility) ||
    visibility.length === 0 ||
    visibility.some((v) => !VISIBILITIES.includes(v)) ||
    new Set(visibility).size !== visibility.length
  ) {
    throw new PorticoError(
      "invalid_app_tool",
      `App tool "${name}": visibility must list "model", "app" or both, once each, got ${JSON.stringify(visibility)}`,
    );
  }
  return [...visibility];
}
