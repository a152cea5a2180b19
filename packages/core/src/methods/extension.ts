/**
 * MCP extensions (`capabilities.extensions`): an extension module declares its identifier and
 * settings and installs its methods through the method table, so both eras serve them and both
 * declare it — under `extensions` in `initialize` and in `server/discover`.
 */
import type { Era, HandlerContext } from "../definition/context.ts";
import type { Definitions, MethodFamily, MethodSpec } from "../definition/method.ts";
import type { McpServer } from "../definition/server.ts";
import { PorticoError } from "../errors.ts";
import { resultsChecked } from "./table.ts";

/** Settings declared under the extension's identifier (`{}`: supported, no optional features). */
export type ExtensionSettings = Record<string, unknown>;

/** An MCP extension, as a module declares it. */
export interface McpExtension {
  /**
   * Its identifier: a vendor prefix (reverse domain name) and a name, e.g.
   * `io.modelcontextprotocol/skills` or `com.example/reports`.
   */
  readonly id: string;
  /**
   * The settings declared under `capabilities.extensions[id]`: an object, or a function of what is
   * registered and the era. Default `{}`.
   */
  readonly settings?: ExtensionSettings | ((definitions: Definitions, era: Era) => ExtensionSettings);
  /** The methods it adds (`skills/list`, …), served from the method table like the core's. */
  readonly methods?: Readonly<Record<string, MethodSpec>>;
  /** The eras in which it is declared. Default: both. */
  readonly eras?: readonly Era[];
  /** Whether it is declared (and its methods served) now. Default: always. */
  readonly available?: (definitions: Definitions) => boolean;
}

/** `vendor.prefix/name`: a reverse domain name, a slash, a name (letters, digits, `.`, `_`, `-`). */
const EXTENSION_ID =
  /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\/[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;

const installed = new WeakMap<McpServer, Map<string, McpExtension>>();

/**
 * Installs an extension on `server`: its methods join the method table and its identifier and
 * settings are declared under `capabilities.extensions` in both eras (or those in `eras`).
 * Installing the same extension object again changes nothing; another extension with the same
 * identifier, or a method already declared, is refused (`PorticoError` `duplicate`).
 *
 * ```ts
 * addExtension(server, {
 *   id: "com.example/reports",
 *   settings: { formats: ["pdf"] },
 *   methods: { "reports/list": { eras: ["modern", "legacy"], handler: () => ({ reports: [] }) } },
 * });
 * ```
 */
export function addExtension(server: McpServer, extension: McpExtension): void {
  const { id } = extension;
  if (typeof id !== "string" || !EXTENSION_ID.test(id)) {
    throw new PorticoError(
      "invalid_extension",
      `Extension identifier ${JSON.stringify(id)} is not "vendor-prefix/name" (e.g. "com.example/reports")`,
    );
  }
  let byId = installed.get(server);
  if (byId === undefined) {
    byId = new Map();
    installed.set(server, byId);
  }
  const prior = byId.get(id);
  if (prior === extension) return;
  if (prior !== undefined) {
    throw new PorticoError("duplicate", `Extension "${id}" is already installed on this server`);
  }
  const eras = extension.eras ?? ["modern", "legacy"];
  const settings = extension.settings ?? {};
  const family: MethodFamily = {
    name: `extension ${id}`,
    methods: resultsChecked(extension.methods ?? {}),
    ...(extension.available === undefined ? {} : { available: extension.available }),
    capabilities: (definitions, era) => {
      if (!eras.includes(era) || extension.available?.(definitions) === false) return undefined;
      const declared = typeof settings === "function" ? settings(definitions, era) : settings;
      return { extensions: { [id]: declared } };
    },
  };
  server.install(family);
  byId.set(id, extension);
}

/**
 * The settings the client declared for extension `id` (`capabilities.extensions[id]`), or
 * `undefined` when it did not declare it: what a handler checks before using an extension's
 * features with this client.
 */
export function clientExtension(
  ctx: Pick<HandlerContext, "clientCapabilities">,
  id: string,
): ExtensionSettings | undefined {
  const extensions = ctx.clientCapabilities.extensions;
  if (typeof extensions !== "object" || extensions === null) return undefined;
  const settings = (extensions as Record<string, unknown>)[id];
  return typeof settings === "object" && settings !== null && !Array.isArray(settings)
    ? (settings as ExtensionSettings)
    : undefined;
}
