/**
 * How each kind of upstream definition becomes a registration on the Portico server: its
 * definition turned into a Portico config, with a handler that forwards the call upstream.
 */

import {
  addPrompt,
  addResource,
  addResourceTemplate,
  addTool,
  type McpServer,
  type PromptArgument,
  type Registration,
  UriTemplate,
} from "@portico/core";
import type { CompleterFactory } from "./completion.ts";
import { type ForwardCall, promptGetter, resourceReader, toolHandler } from "./forward.ts";
import { defined, isObject, type Json, str } from "./json.ts";
import type { UpstreamRouting } from "./routing.ts";
import { toolSchema, type UnvalidatedSchemas } from "./schemas.ts";
import type { Kind, UnvalidatedSchema } from "./types.ts";

/** A registration, with the schemas it advertises without validating them (tools only). */
export interface Mirrored {
  registration: Registration;
  unvalidated?: readonly UnvalidatedSchema[];
}

/** Registers one definition under `key` (a name with the prefix, a URI or a URI template); may throw. */
export type Registrar = (key: string, definition: Json) => Mirrored;

/**
 * The registrar of each kind, registering on `server` with handlers that use `call` (and, when the
 * upstream completes, completers made by `complete` for prompts and templates);
 * `unvalidatedSchemas` says what becomes of a tool schema core's validator refuses; `routing`
 * keeps the upstream's templates from taking reads of URIs that belong to others (`routing.ts`).
 */
export function registrars(
  server: McpServer,
  call: ForwardCall,
  complete: CompleterFactory | undefined,
  unvalidatedSchemas: UnvalidatedSchemas,
  routing: UpstreamRouting,
): Record<Kind, Registrar> {
  const read = resourceReader(call);
  return {
    tool: (name, tool) => {
      const remoteName = tool.name as string;
      const inputSchema = isObject(tool.inputSchema) ? tool.inputSchema : { type: "object" };
      const outputSchema = isObject(tool.outputSchema) ? tool.outputSchema : undefined;
      const paramHeaders = headerParams(inputSchema);
      // Filled by toolSchema() with the schemas it lets through unvalidated ("forward").
      const unvalidated: UnvalidatedSchema[] = [];
      const registration = addTool(
        server,
        name,
        defined({
          title: str(tool.title),
          description: str(tool.description),
          input: toolSchema(inputSchema, "input", name, unvalidatedSchemas, unvalidated),
          output:
            outputSchema === undefined
              ? undefined
              : toolSchema(outputSchema, "output", name, unvalidatedSchemas, unvalidated),
          annotations: isObject(tool.annotations) ? tool.annotations : undefined,
          icons: Array.isArray(tool.icons) ? tool.icons : undefined,
          _meta: isObject(tool._meta) ? tool._meta : undefined,
        }),
        toolHandler(call, remoteName, paramHeaders),
      );
      return { registration, unvalidated };
    },
    resource: (uri, resource) => {
      const registration = addResource(server, uri, resourceConfig(resource, uri), read);
      const forget = routing.claim(uri);
      return {
        registration: {
          remove: () => {
            forget();
            registration.remove();
          },
        },
      };
    },
    template: (template, definition) => ({
      registration: addResourceTemplate(
        server,
        routing.template(template),
        defined({
          ...resourceConfig(definition, template),
          complete: complete?.(
            { type: "ref/resource", uri: template },
            new UriTemplate(template).variableNames,
          ),
        }),
        (uri, _variables, ctx) => read(uri, ctx),
      ),
    }),
    prompt: (name, prompt) => {
      const args = promptArguments(prompt);
      const registration = addPrompt(
        server,
        name,
        defined({
          title: str(prompt.title),
          description: str(prompt.description),
          arguments: args,
          complete: complete?.(
            { type: "ref/prompt", name: prompt.name },
            (args ?? []).map((a) => a.name),
          ),
          icons: Array.isArray(prompt.icons) ? prompt.icons : undefined,
          _meta: isObject(prompt._meta) ? prompt._meta : undefined,
        }),
        promptGetter(call, prompt.name as string),
      );
      return { registration };
    },
  };
}

function resourceConfig(definition: Json, key: string) {
  return defined({
    name: typeof definition.name === "string" && definition.name !== "" ? definition.name : key,
    title: str(definition.title),
    description: str(definition.description),
    mimeType: str(definition.mimeType),
    size: typeof definition.size === "number" ? definition.size : undefined,
    icons: Array.isArray(definition.icons) ? definition.icons : undefined,
    annotations: isObject(definition.annotations) ? definition.annotations : undefined,
    _meta: isObject(definition._meta) ? definition._meta : undefined,
  });
}

/** A prompt's arguments (those with a name), or `undefined` when it lists none. */
function promptArguments(prompt: Json): PromptArgument[] | undefined {
  return Array.isArray(prompt.arguments)
    ? prompt.arguments.filter(isObject).flatMap((a): PromptArgument[] =>
        typeof a.name === "string"
          ? [
              defined({
                name: a.name,
                title: str(a.title),
                description: str(a.description),
                required: typeof a.required === "boolean" ? a.required : undefined,
              }) as PromptArgument,
            ]
          : [],
      )
    : undefined;
}

/** `Mcp-Param-*` header name → argument name, from a tool's `x-mcp-header` annotations. */
function headerParams(schema: Json): Map<string, string> {
  const map = new Map<string, string>();
  const props = schema.properties;
  if (!isObject(props)) return map;
  for (const [arg, prop] of Object.entries(props)) {
    const header = isObject(prop) ? prop["x-mcp-header"] : undefined;
    if (typeof header === "string" && header !== "") map.set(header, arg);
  }
  return map;
}
