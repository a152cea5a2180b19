/**
 * Registering validated definitions with a server through the core's `addTool`, `addResource` and
 * `addPrompt` (so the core emits `list_changed` in both eras), one at a time or a whole document.
 */
import {
  addPrompt,
  addResource,
  addTool,
  jsonSchema,
  type McpServer,
  PorticoError,
  type Registration,
} from "@portico/core";
import { type HttpToolOptions, httpToolHandler } from "./http-tool.ts";
import { parseDefinitions } from "./parse.ts";
import { envNamesOf, fill } from "./placeholders.ts";
import type { DefinitionKind, DefinitionOf, PromptDef, ResourceDef, ToolDef } from "./types.ts";
import { KINDS, keyOf } from "./types.ts";

export type LoadOptions = HttpToolOptions;

function registerTool(server: McpServer, tool: ToolDef, options: LoadOptions): Registration {
  const env = options.env ?? {};
  const templates = [tool.http.url, ...Object.values(tool.http.headers ?? {})];
  for (const name of templates.flatMap(envNamesOf)) {
    if (env[name] === undefined)
      throw new PorticoError(
        "invalid_config",
        `tool "${tool.name}": environment variable ${name} is not in the env option`,
      );
  }
  const config = {
    ...(tool.title !== undefined && { title: tool.title }),
    ...(tool.description !== undefined && { description: tool.description }),
    ...(tool.annotations !== undefined && { annotations: tool.annotations }),
    ...(tool.tags !== undefined && { tags: tool.tags }),
    input: jsonSchema(tool.input ?? { type: "object", properties: {} }),
  };
  return addTool(server, tool.name, config, httpToolHandler(tool.name, tool.http, options));
}

function registerResource(server: McpServer, resource: ResourceDef): Registration {
  const { uri, text, ...rest } = resource;
  return addResource(server, uri, { ...rest }, () => ({
    contents: [{ uri, text, ...(resource.mimeType !== undefined && { mimeType: resource.mimeType }) }],
  }));
}

function registerPrompt(server: McpServer, prompt: PromptDef): Registration {
  const config = {
    ...(prompt.title !== undefined && { title: prompt.title }),
    ...(prompt.description !== undefined && { description: prompt.description }),
    ...(prompt.arguments !== undefined && { arguments: prompt.arguments }),
  };
  return addPrompt(server, prompt.name, config, (args: Record<string, string | undefined>) => {
    // Every placeholder is a declared argument (validated); an optional one left out reads as "".
    const values = Object.fromEntries((prompt.arguments ?? []).map((a) => [a.name, args[a.name] ?? ""]));
    return {
      ...(prompt.description !== undefined && { description: prompt.description }),
      messages: prompt.messages.map((message) => {
        const filled = fill(message.text, values);
        const text = "text" in filled ? filled.text : message.text;
        return { role: message.role, content: { type: "text" as const, text } };
      }),
    };
  });
}

/** Registers one (already validated) definition of `kind`. */
export function registerDefinition<K extends DefinitionKind>(
  server: McpServer,
  kind: K,
  def: DefinitionOf[K],
  options: LoadOptions = {},
): Registration {
  if (kind === "tools") return registerTool(server, def as ToolDef, options);
  if (kind === "resources") return registerResource(server, def as ResourceDef);
  return registerPrompt(server, def as PromptDef);
}

/** What `loadDefinitions` registered. */
export interface LoadedDefinitions extends Registration {
  tools: string[];
  resources: string[];
  prompts: string[];
}

/**
 * Validates `source` (JSON or YAML text, or an object) and registers everything in it; on any error
 * nothing stays registered. `remove()` takes all of it away again.
 */
export function loadDefinitions(
  server: McpServer,
  source: string | object,
  options: LoadOptions = {},
): LoadedDefinitions {
  const document = parseDefinitions(source);
  const registrations: Registration[] = [];
  const names: Record<DefinitionKind, string[]> = { tools: [], resources: [], prompts: [] };
  const remove = () => {
    for (const registration of registrations.splice(0).reverse()) registration.remove();
  };
  try {
    for (const kind of KINDS) {
      for (const def of document[kind] ?? []) {
        registrations.push(registerDefinition(server, kind, def, options));
        names[kind].push(keyOf(kind, def));
      }
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { ...names, remove };
}
