/**
 * `addAppResource`: an MCP App's HTML as a `ui://` resource with the `text/html;profile=mcp-app`
 * MIME type, its `_meta.ui` (CSP origins, permissions, domain, border) on the listing and on the
 * read contents, and the extension declared.
 */
import {
  addResource,
  type HandlerContext,
  type Icon,
  type McpServer,
  type Middleware,
  PorticoError,
  type Registration,
  type TextResourceContents,
} from "@portico/core";
import { APP_MIME_TYPE, UI_SCHEME } from "./constants.ts";
import { enableApps } from "./extension.ts";
import { recordUi } from "./registry.ts";
import { type AppResourceSettings, resourceUiMeta } from "./resource-meta.ts";
import { checkUiUri } from "./ui-uri.ts";

/**
 * The app's HTML document: a string (a bundled module's default export, see the guide), or a
 * function giving it — called on the first read and its answer kept (a failure is retried on the
 * next read), e.g. `() => import("./ui/chart.html.ts").then((m) => m.default)` to load it lazily.
 */
export type AppHtml = string | (() => string | Promise<string>);

export interface AppResourceConfig extends AppResourceSettings {
  /** The HTML5 document, self-contained: scripts and styles inline unless `csp.resourceDomains` allows their origin. */
  readonly html: AppHtml;
  /** Its name in `resources/list`. Default: the URI without `ui://`. */
  readonly name?: string;
  readonly title?: string;
  readonly description?: string;
  readonly icons?: Icon[];
  /** More `_meta` for the listing (`ui` is set from the settings). */
  readonly _meta?: Record<string, unknown>;
  /** Middleware for reads of this resource only. */
  readonly use?: Middleware[];
  /** OAuth scopes a caller needs to see and read it. Default: none. */
  readonly scopes?: readonly string[];
  /** Labels for `ServerOptions.tags` and `mount`. */
  readonly tags?: readonly string[];
}

/**
 * Registers an MCP App's HTML as the UI resource `uri` (`ui://…`) and declares the
 * `io.modelcontextprotocol/ui` extension. Link tools to it with `addAppTool`. Fails fast
 * (`PorticoError`) on a URI that is not `ui://`, empty HTML, a CSP entry that is not an origin, an
 * unknown permission, and a duplicate URI.
 *
 * ```ts
 * addAppResource(server, "ui://charts/sales.html", {
 *   title: "Sales chart",
 *   html: chartHtml,
 *   csp: { connectDomains: ["https://api.example.com"] },
 * });
 * ```
 */
export function addAppResource(server: McpServer, uri: string, config: AppResourceConfig): Registration {
  checkUiUri(uri, "App resource");
  if (typeof config !== "object" || config === null) {
    throw new PorticoError("invalid_app_resource", `App resource "${uri}" needs a config with its html`);
  }
  const { html, name, title, description, icons, _meta, use, scopes, tags } = config;
  if (typeof html === "string") checkHtml(uri, html);
  else if (typeof html !== "function") {
    throw new PorticoError(
      "invalid_app_resource",
      `App resource "${uri}": html must be the HTML document (a string) or a function returning it`,
    );
  }
  if (_meta !== undefined && "ui" in _meta) {
    throw new PorticoError(
      "invalid_app_resource",
      `App resource "${uri}": set csp, permissions, domain and prefersBorder in the config, not _meta.ui`,
    );
  }
  const ui = resourceUiMeta(uri, config);
  const load = loader(uri, html);
  enableApps(server);
  const registration = addResource(
    server,
    uri,
    defined({
      name: name ?? uri.slice(UI_SCHEME.length),
      title,
      description,
      icons,
      mimeType: APP_MIME_TYPE,
      _meta: ui === undefined ? _meta : { ..._meta, ui },
      use,
      scopes,
      tags,
    }),
    async (_uri: string, _ctx: HandlerContext) => {
      const contents: TextResourceContents = { uri, mimeType: APP_MIME_TYPE, text: await load() };
      // On the contents too: hosts take the read's `_meta.ui` over the listing's.
      if (ui !== undefined) contents._meta = { ui };
      return { contents: [contents] };
    },
  );
  const forget = recordUi(server, uri);
  let removed = false;
  return {
    remove() {
      // Once only, as core's: a stale registration must not forget a view registered again.
      if (removed) return;
      removed = true;
      forget();
      registration.remove();
    },
  };
}

function checkHtml(uri: string, html: unknown): asserts html is string {
  if (typeof html !== "string" || html.trim() === "") {
    throw new PorticoError(
      "invalid_app_resource",
      `App resource "${uri}": html must be a non-empty HTML document, got ${typeof html === "string" ? "an empty string" : typeof html}`,
    );
  }
}

/** The HTML, loaded once: a string as it is, a function's answer kept after its first success. */
function loader(uri: string, html: AppHtml): () => Promise<string> {
  if (typeof html === "string") return () => Promise.resolve(html);
  let pending: Promise<string> | undefined;
  return () => {
    if (pending === undefined) {
      const attempt = (async () => {
        const text = await html();
        checkHtml(uri, text);
        return text;
      })();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
}

/** `value` without its `undefined` fields (the config types use exact optional properties). */
function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
