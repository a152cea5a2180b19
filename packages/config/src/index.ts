export type { HttpToolOptions } from "./http-tool.ts";
export { buildRequest, httpToolHandler } from "./http-tool.ts";
export { parseDefinitions } from "./parse.ts";
export type { LoadedDefinitions, LoadOptions } from "./register.ts";
export { loadDefinitions, registerDefinition } from "./register.ts";
export type { StoreRegistry, StoreRegistryOptions } from "./registry.ts";
export { storeRegistry } from "./registry.ts";
export type {
  ConfigDocument,
  DefinitionKind,
  DefinitionOf,
  HttpCall,
  HttpMethod,
  PromptArgumentDef,
  PromptDef,
  PromptMessageDef,
  ResourceDef,
  ToolDef,
} from "./types.ts";
export { validateDefinition, validateDocument } from "./validate.ts";
