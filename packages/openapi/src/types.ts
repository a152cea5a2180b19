/** The public types of `fromOpenAPI`: its options, route maps, the operation view and the result. */
import type { HandlerContext } from "@portico/core";

/** An OpenAPI 3.0/3.1 document: a parsed object, or its JSON or YAML text. */
export type OpenApiDocument = string | object;

/** What an operation becomes. */
export type RouteKind = "tool" | "resource" | "template" | "exclude";

/** One parameter of an operation, as the route maps and `name` see it. */
export interface OpenApiParameter {
  readonly name: string;
  readonly in: "path" | "query" | "header" | "cookie";
  readonly required: boolean;
}

/** An operation of the document (path-level parameters included). */
export interface OpenApiOperation {
  /** Upper case: `GET`, `POST`, … */
  readonly method: string;
  /** The path template as written in the document: `/pets/{petId}`. */
  readonly path: string;
  readonly operationId: string | undefined;
  readonly summary: string | undefined;
  readonly description: string | undefined;
  readonly tags: readonly string[];
  readonly deprecated: boolean;
  readonly parameters: readonly OpenApiParameter[];
}

/**
 * Maps the operations it matches to a kind. Every condition given must hold: a method in
 * `methods` (case-insensitive, `"*"` for all), the path template matching `path` (a RegExp, or a
 * glob where `*` matches any run of characters, `/` included), one of `tags`, one of
 * `operationIds`, and `when(operation)`. The first matching map wins.
 */
export interface RouteMap {
  methods?: readonly string[] | "*";
  path?: RegExp | string;
  tags?: readonly string[];
  operationIds?: readonly string[];
  when?: (operation: OpenApiOperation) => boolean;
  as: RouteKind;
}

/**
 * Credentials sent with every upstream call: a static header (an API key), `"forward"` (the MCP
 * caller's bearer token as `Authorization: Bearer …`, nothing for an anonymous caller), or a
 * function of the request context returning headers.
 */
export type OpenApiAuth =
  | { header: string; value: string }
  | "forward"
  | ((ctx: HandlerContext) => Record<string, string> | Promise<Record<string, string>>);

/** A fetch that takes a `Request`: `globalThis.fetch`, or a Hono app's `app.fetch`. */
export type OpenApiFetch = (request: Request) => Response | Promise<Response>;

export interface OpenApiOptions {
  /** Route maps, first match wins; an operation no map matches is a tool. */
  routes?: readonly RouteMap[];
  /** Names an operation's tool or resource (made unique with `_2`, `_3`…); `undefined`: the default name. */
  name?: (operation: OpenApiOperation) => string | undefined;
  /** The absolute URL the paths are appended to. Default: the document's first server (variables at their defaults). */
  baseUrl?: string;
  /** Makes the HTTP calls. Default `globalThis.fetch`. */
  fetch?: OpenApiFetch;
  /** Headers sent with every call. */
  headers?: Record<string, string>;
  auth?: OpenApiAuth;
  /**
   * Time limit of one call, body included, in ms: a positive number, at most 2^31−1 ms (about
   * 24.8 days, the longest a timer can wait; a larger value is refused). Default 30 000.
   */
  timeoutMs?: number;
  /** Largest response body read, in bytes; a larger one is an error. Default 1 MiB. */
  maxResponseBytes?: number;
  /**
   * Declare each tool's output schema (from its first 2xx JSON response) so that clients see it
   * and the core checks every result against it: a response that does not match its document
   * becomes an error result. Default `false`: no output schema, results are passed on unchecked.
   */
  validateOutput?: boolean;
}

/** An operation left out, and why. */
export interface SkippedOperation {
  /** `METHOD /path`. */
  operation: string;
  reason: string;
}

/** What `fromOpenAPI` registered. */
export interface OpenApiRegistration {
  /** Tool names. */
  tools: string[];
  /** Resource URIs. */
  resources: string[];
  /** Resource URI templates. */
  templates: string[];
  /** Operations that could not be converted (not those a route map excluded). */
  skipped: SkippedOperation[];
  /** Unregisters everything this call registered. */
  remove(): void;
}
