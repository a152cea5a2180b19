/**
 * The extension's methods: `skills/list` (whole entries per page), `skills/get` (one entry by its
 * SKILL.md URI) and, when enabled, `resources/directory/read` (a directory's direct children).
 */
import { ErrorCode, type McpCall, McpError, type McpResult, type MethodSpec, paginate } from "@portico/core";
import type { SkillCatalog } from "./_catalog.ts";
import type { SkillsCacheHints } from "./types.ts";

const BOTH = ["modern", "legacy"] as const;
const MAX_URI_CHARS = 4096;

export interface MethodSettings {
  readonly pageSize: number | undefined;
  readonly cache: SkillsCacheHints | undefined;
  readonly directoryRead: boolean;
}

export function skillMethods(catalog: SkillCatalog, settings: MethodSettings): Record<string, MethodSpec> {
  const size = (call: McpCall) => settings.pageSize ?? call.definitions.pageSize;
  const hinted = (call: McpCall, result: McpResult): McpResult => {
    if (call.era === "modern" && settings.cache !== undefined) {
      if (settings.cache.ttlMs !== undefined) result.ttlMs = settings.cache.ttlMs;
      if (settings.cache.scope !== undefined) result.cacheScope = settings.cache.scope;
    }
    return result;
  };
  const methods: Record<string, MethodSpec> = {
    "skills/list": {
      eras: BOTH,
      cacheable: true,
      handler: async (call) => {
        const { page: skills, nextCursor } = paginate(
          await catalog.entries(),
          call.params.cursor,
          size(call),
        );
        return hinted(call, nextCursor === undefined ? { skills } : { skills, nextCursor });
      },
    },
    "skills/get": {
      eras: BOTH,
      cacheable: true,
      handler: async (call) => {
        const uri = uriParam(call);
        const entry = await catalog.entryByUri(uri);
        if (entry === undefined)
          throw new McpError(ErrorCode.InvalidParams, `Unknown skill: ${uri}`, { uri });
        return hinted(call, { skill: entry });
      },
    },
  };
  if (settings.directoryRead) {
    methods["resources/directory/read"] = {
      eras: BOTH,
      cacheable: true,
      handler: (call) => {
        const uri = uriParam(call);
        const children = catalog.directory(uri);
        if (children === undefined) {
          throw new McpError(ErrorCode.InvalidParams, `Not a directory resource: ${uri}`, { uri });
        }
        const { page: resources, nextCursor } = paginate(children, call.params.cursor, size(call));
        return hinted(call, nextCursor === undefined ? { resources } : { resources, nextCursor });
      },
    };
  }
  return methods;
}

function uriParam(call: McpCall): string {
  const { uri } = call.params;
  if (typeof uri !== "string" || uri === "") {
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /uri must be a non-empty string");
  }
  if (uri.length > MAX_URI_CHARS) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Invalid params: /uri is longer than ${MAX_URI_CHARS} characters`,
    );
  }
  return uri;
}
