/** The proxy's public types: its options and what `proxy()` returns. */

import type { HandlerContext, Logger } from "@portico/core";
import type { UpstreamEra } from "./client.ts";

/** Where the proxy writes what happens in the background (following, re-listing, upstream logs). */
export type ProxyLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;

/** Headers a proxied call adds for its caller: `"forward"` sends the caller's bearer token on. */
export type ProxyAuth =
  | "forward"
  | ((ctx: HandlerContext) => HeadersInit | undefined | Promise<HeadersInit | undefined>);

export interface ProxyOptions {
  /** The `fetch` used to reach the upstream. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Headers every upstream request carries (an API key); also used for listing and the session. */
  headers?: HeadersInit;
  /**
   * Headers per proxied call: `"forward"` sends the MCP caller's token (`ctx.auth.token`) as
   * `Authorization: Bearer`; a function returns headers for the call. Not used for listing.
   */
  auth?: ProxyAuth;
  /**
   * Longest wait for one upstream request in ms, combined with the call's own signal: a whole
   * number from 1 to 2^31−1 (about 24.8 days, the longest a timer can wait; others are refused).
   * Default 60 000.
   */
  timeoutMs?: number;
  /**
   * The largest message read from an HTTP upstream — a JSON body, or one event of an SSE stream —
   * in bytes: past it the proxy stops reading, and a call answers with an error. Default 16 MiB
   * (16 777 216). A transport upstream has its own bound (`stdioTransport`'s `maxLineBytes`).
   */
  maxMessageBytes?: number;
  /** Registers tools and prompts as `${prefix}_${name}` (resource URIs are kept). */
  prefix?: string;
  /**
   * Which protocol era to speak upstream: `"auto"` (default) tries `server/discover` (2026-07-28)
   * and falls back to `initialize` (2025-11-25); `"modern"` or `"legacy"` force one.
   */
  era?: "auto" | UpstreamEra;
  /** Forward the upstream's progress and log notifications to the caller. Default true. */
  forwardNotifications?: boolean;
  /**
   * Follow the upstream's changes: its `list_changed` notifications re-list it (as `refresh()`
   * does) and its `notifications/resources/updated` are announced for the registered resource.
   * Default true.
   */
  follow?: boolean;
  /**
   * The operator's log for what happens outside any call: failures while following or re-listing,
   * and log messages a transport upstream sends outside a call. Default: none (silent).
   */
  logger?: ProxyLogger;
  /**
   * What becomes of a tool whose `inputSchema` or `outputSchema` core's JSON Schema validator
   * (`jsonSchema()`, 2020-12) refuses as written — a draft-07 tuple `"items": [ … ]`, a `pattern`
   * that is no ECMA-262 regular expression, a `$ref` that does not resolve inside the schema.
   * `"skip"` (default): the tool is not registered and is listed in `skipped`. `"forward"`: the
   * tool is registered with that schema advertised verbatim (as the upstream listed it) and not
   * checked locally — its arguments (or structured output) pass as they are, and the upstream
   * validates them — and the schema is listed in `unvalidated`. A schema core accepts is validated
   * locally either way, and core's other registration checks (a name, an input or output schema
   * of type `"object"`) still apply: a tool they refuse is skipped.
   */
  unvalidatedSchemas?: "skip" | "forward";
}

/** Something of the upstream the proxy could not register (an invalid schema, a duplicate name). */
export interface SkippedDefinition {
  kind: "tool" | "resource" | "template" | "prompt";
  name: string;
  reason: string;
}

/**
 * A schema of a registered tool that the proxy advertises verbatim but does not validate, because
 * core's validator refused it (`unvalidatedSchemas: "forward"`): the upstream validates instead.
 */
export interface UnvalidatedSchema {
  /** The tool's name (with the prefix). */
  name: string;
  /** `"input"`: arguments are not checked locally; `"output"`: structured content is not. */
  schema: "input" | "output";
  /** Why core's validator refused it (the `invalid_schema` message of `jsonSchema()`). */
  reason: string;
}

/** The kinds of upstream definitions the proxy registers (internal; not exported by the package). */
export type Kind = SkippedDefinition["kind"];

export interface ProxyRegistration {
  /** Names of the registered tools (with the prefix). */
  readonly tools: readonly string[];
  /** URIs of the registered resources. */
  readonly resources: readonly string[];
  /** URI templates of the registered resource templates. */
  readonly templates: readonly string[];
  /** Names of the registered prompts (with the prefix). */
  readonly prompts: readonly string[];
  /** What could not be registered, and why. */
  readonly skipped: readonly SkippedDefinition[];
  /**
   * Schemas of registered tools that are advertised verbatim but not validated locally, and why
   * (only with `unvalidatedSchemas: "forward"`; always empty otherwise).
   */
  readonly unvalidated: readonly UnvalidatedSchema[];
  /** The era the upstream is spoken to in. */
  readonly era: UpstreamEra;
  /** Lists the upstream again and updates the registrations (adds, removes, replaces changed ones). */
  refresh(): Promise<void>;
  /**
   * Stops following, removes every registration and ends a legacy upstream session (over a
   * transport: closes the transport, which ends a stdio child).
   */
  close(): Promise<void>;
}
