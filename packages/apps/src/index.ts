export { APP_MIME_TYPE, APPS_EXTENSION_ID, LEGACY_RESOURCE_URI_KEY, UI_SCHEME } from "./constants.ts";
export { enableApps, hostSupportsApps } from "./extension.ts";
export type { AppHtml, AppResourceConfig } from "./resource.ts";
export { addAppResource } from "./resource.ts";
export type { AppCsp, AppPermission, AppResourceSettings, AppResourceUiMeta } from "./resource-meta.ts";
export type { AppToolConfig, AppToolUi, AppToolUiMeta, AppVisibility } from "./tool.ts";
export { addAppTool } from "./tool.ts";
