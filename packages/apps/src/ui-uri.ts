/** `ui://` URIs: the scheme the spec requires of UI resources, and something after it. */
import { PorticoError } from "@portico/core";
import { UI_SCHEME } from "./constants.ts";

/**
 * Throws `PorticoError` `invalid_ui_uri` unless `uri` is `ui://` followed by a host or path, with no
 * white space or control character.
 */
export function checkUiUri(uri: unknown, what: string): asserts uri is string {
  if (typeof uri !== "string" || !uri.startsWith(UI_SCHEME) || uri.length === UI_SCHEME.length) {
    throw new PorticoError(
      "invalid_ui_uri",
      `${what}: ${JSON.stringify(uri)} is not a ui:// URI (e.g. "ui://charts/sales.html")`,
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(uri)) {
    throw new PorticoError(
      "invalid_ui_uri",
      `${what}: ${JSON.stringify(uri)} contains white space or a control character`,
    );
  }
}
