/** The declarative definitions document and its parts (see the README's table). */
import type { ToolAnnotations } from "@portico/core";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** How a declarative tool calls its HTTP endpoint. */
export interface HttpCall {
  method: HttpMethod;
  /** The URL; `{arg}` placeholders are filled from the arguments, percent-encoded. */
  url: string;
  /** Request headers; values may use `{arg}` and `${ENV_NAME}` (from the `env` option). */
  headers?: Record<string, string>;
  /** Argument names sent in the query string. */
  query?: string[];
  /** A JSON body: every argument (`"arguments"`) or the named ones. Not with GET. */
  body?: "arguments" | string[];
  /** Milliseconds before the call is abandoned: 1 to 2^31−1 (about 24.8 days). Default 30 000. */
  timeoutMs?: number;
}

export interface ToolDef {
  name: string;
  title?: string;
  description?: string;
  /** JSON Schema of the arguments (type "object"). */
  input?: Record<string, unknown>;
  annotations?: ToolAnnotations;
  tags?: string[];
  http: HttpCall;
}

/** A resource with fixed text. */
export interface ResourceDef {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  text: string;
}

export interface PromptArgumentDef {
  name: string;
  description?: string;
  required?: boolean;
}

export interface PromptMessageDef {
  role: "user" | "assistant";
  /** The text; `{arg}` placeholders are filled from the prompt's arguments. */
  text: string;
}

export interface PromptDef {
  name: string;
  title?: string;
  description?: string;
  arguments?: PromptArgumentDef[];
  messages: PromptMessageDef[];
}

/** A definitions document. */
export interface ConfigDocument {
  tools?: ToolDef[];
  resources?: ResourceDef[];
  prompts?: PromptDef[];
}

/** The three kinds of definition, as the document's keys name them. */
export type DefinitionKind = "tools" | "resources" | "prompts";

/** The definition type of each kind. */
export interface DefinitionOf {
  tools: ToolDef;
  resources: ResourceDef;
  prompts: PromptDef;
}

export const KINDS: readonly DefinitionKind[] = ["tools", "resources", "prompts"];

/** The key a definition is known by within its kind: a tool's or prompt's name, a resource's URI. */
export function keyOf<K extends DefinitionKind>(kind: K, def: DefinitionOf[K]): string {
  return kind === "resources" ? (def as ResourceDef).uri : (def as ToolDef | PromptDef).name;
}
