/**
 * A UI resource's security and rendering metadata (`_meta.ui` on the resource and on its contents):
 * the origins its Content Security Policy may allow, the browser permissions it asks for, a
 * dedicated sandbox domain and a border preference. Checked at registration, so a malformed origin
 * fails when the server is defined, not in a host's CSP.
 */
import { PorticoError } from "@portico/core";

/**
 * Origins the app's page may use, per CSP directive. Omitted or empty: none (the host's restrictive
 * default: no network, no external scripts, styles, images or frames).
 */
export interface AppCsp {
  /** Origins for `fetch`/XHR/WebSocket (`connect-src`), e.g. `"https://api.example.com"`. */
  readonly connectDomains?: readonly string[];
  /** Origins for scripts, styles, images, fonts and media, e.g. `"https://*.example-cdn.com"`. */
  readonly resourceDomains?: readonly string[];
  /** Origins for nested iframes (`frame-src`; none by default). */
  readonly frameDomains?: readonly string[];
  /** Origins allowed as the document's `<base>` (`base-uri`; only its own by default). */
  readonly baseUriDomains?: readonly string[];
}

/** Browser features an app may ask the host for (mapped to the iframe's Permission Policy). */
export type AppPermission = "camera" | "microphone" | "geolocation" | "clipboardWrite";

/** The rendering and security settings of a UI resource. */
export interface AppResourceSettings {
  /** The origins its CSP allows. Default: none. */
  readonly csp?: AppCsp;
  /** The browser features it asks for; hosts may grant them or not (use feature detection). Default: none. */
  readonly permissions?: readonly AppPermission[];
  /**
   * A dedicated origin for its sandbox (for CORS allowlists, OAuth callbacks); its format is the
   * host's (e.g. a hash-based subdomain of the host's content domain). Default: the host's own.
   */
  readonly domain?: string;
  /** `true`: the host draws a border and background around it; `false`: none. Default: the host decides. */
  readonly prefersBorder?: boolean;
}

/** `_meta.ui` of a UI resource, as on the wire. */
export interface AppResourceUiMeta {
  csp?: { -readonly [K in keyof AppCsp]?: string[] };
  permissions?: { [P in AppPermission]?: Record<string, never> };
  domain?: string;
  prefersBorder?: boolean;
}

const DIRECTIVES = ["connectDomains", "resourceDomains", "frameDomains", "baseUriDomains"] as const;
const PERMISSIONS: readonly AppPermission[] = ["camera", "microphone", "geolocation", "clipboardWrite"];

/**
 * An origin: `http`, `https`, `ws` or `wss`, a host name (its first label may be `*`, a subdomain
 * wildcard) or an IPv4 address, and an optional port — no path, query, user info or trailing slash.
 */
const ORIGIN =
  /^(https?|wss?):\/\/(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;

/**
 * A domain as hosts take it: a host name or an `http(s)` origin (the view's sandbox origin: no
 * `javascript:` or `data:`), nothing that could break out of a header.
 */
const DOMAIN = /^(https?:\/\/)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/i;

/** Checks `settings` and turns them into `_meta.ui` (`undefined` when nothing is set). */
export function resourceUiMeta(uri: string, settings: AppResourceSettings): AppResourceUiMeta | undefined {
  const meta: AppResourceUiMeta = {};
  const csp = cspMeta(uri, settings.csp);
  if (csp !== undefined) meta.csp = csp;
  const permissions = permissionsMeta(uri, settings.permissions);
  if (permissions !== undefined) meta.permissions = permissions;
  if (settings.domain !== undefined) {
    if (typeof settings.domain !== "string" || !DOMAIN.test(settings.domain)) {
      throw invalid(uri, `domain ${JSON.stringify(settings.domain)} is not a host name or an origin`);
    }
    meta.domain = settings.domain;
  }
  if (settings.prefersBorder !== undefined) {
    if (typeof settings.prefersBorder !== "boolean") throw invalid(uri, "prefersBorder must be a boolean");
    meta.prefersBorder = settings.prefersBorder;
  }
  return Object.keys(meta).length === 0 ? undefined : meta;
}

function cspMeta(uri: string, csp: AppCsp | undefined): AppResourceUiMeta["csp"] {
  if (csp === undefined) return undefined;
  if (typeof csp !== "object" || csp === null) throw invalid(uri, "csp must be an object");
  const unknown = Object.keys(csp).filter((k) => !(DIRECTIVES as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw invalid(uri, `csp has unknown field(s) ${unknown.join(", ")} (known: ${DIRECTIVES.join(", ")})`);
  }
  const out: NonNullable<AppResourceUiMeta["csp"]> = {};
  for (const directive of DIRECTIVES) {
    const origins = csp[directive];
    if (origins === undefined) continue;
    if (!Array.isArray(origins)) throw invalid(uri, `csp.${directive} must be an array of origins`);
    origins.forEach((origin, i) => {
      if (typeof origin !== "string" || !ORIGIN.test(origin)) {
        throw invalid(
          uri,
          `csp.${directive}[${i}] ${JSON.stringify(origin)} is not an origin: scheme://host[:port] with ` +
            `http, https, ws or wss, e.g. "https://api.example.com" (a subdomain wildcard ` +
            `"https://*.example.com" is allowed; no path, no "*", no CSP keywords)`,
        );
      }
    });
    if (origins.length > 0) out[directive] = [...new Set(origins as string[])];
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function permissionsMeta(
  uri: string,
  permissions: readonly AppPermission[] | undefined,
): AppResourceUiMeta["permissions"] {
  if (permissions === undefined) return undefined;
  if (!Array.isArray(permissions)) {
    throw invalid(uri, `permissions must be an array of ${PERMISSIONS.map((p) => `"${p}"`).join(", ")}`);
  }
  const out: NonNullable<AppResourceUiMeta["permissions"]> = {};
  for (const permission of permissions as readonly unknown[]) {
    if (!isPermission(permission)) {
      throw invalid(
        uri,
        `permission ${JSON.stringify(permission)} is not one of ${PERMISSIONS.map((p) => `"${p}"`).join(", ")}`,
      );
    }
    out[permission] = {};
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function isPermission(value: unknown): value is AppPermission {
  return (PERMISSIONS as readonly unknown[]).includes(value);
}

function invalid(uri: string, message: string): PorticoError {
  return new PorticoError("invalid_app_resource", `App resource "${uri}": ${message}`);
}
