/** Which UI resources each server has (through `addAppResource`), so a tool can only link one that exists. */
import type { McpServer } from "@portico/core";

const byServer = new WeakMap<McpServer, Set<string>>();

/** Records `uri` as a UI resource of `server`; the returned function forgets it. */
export function recordUi(server: McpServer, uri: string): () => void {
  let uris = byServer.get(server);
  if (uris === undefined) {
    uris = new Set();
    byServer.set(server, uris);
  }
  uris.add(uri);
  return () => void uris.delete(uri);
}

/** Whether `server` has the UI resource `uri`. */
export function hasUi(server: McpServer, uri: string): boolean {
  return byServer.get(server)?.has(uri) === true;
}
