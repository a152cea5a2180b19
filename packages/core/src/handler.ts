/**
 * `createHandler(server, options)`: the fetch handler serving both MCP eras on one endpoint — the
 * 2026-07-28 revision and the 2025-era protocol with its sessions (see `serve.ts`).
 */
import type { McpServer } from "./definition/server.ts";
import { legacyEra } from "./legacy/era.ts";
import type { HandlerOptions } from "./options.ts";
import { type McpHandler, serveEras } from "./serve.ts";
import { memoryStores } from "./stores/memory.ts";

export type { HandlerOptions, McpHandler };

/** Turns a server definition into a fetch handler (`{ fetch }`) serving both eras. */
export function createHandler(server: McpServer, options: HandlerOptions = {}): McpHandler {
  return serveEras(server, options, legacyEra, memoryStores);
}
