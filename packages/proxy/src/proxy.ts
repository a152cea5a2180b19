/**
 * `proxy(server, target, options)`: connects to a remote MCP server, lists its tools, resources,
 * resource templates and prompts, and registers each on a Portico server with a handler that
 * forwards the call upstream; `refresh()` lists again, `close()` removes it all.
 */

import type { McpServer } from "@portico/core";
import { UpstreamClient } from "./client.ts";
import { forwarder } from "./forward.ts";
import { listDefinitions } from "./listing.ts";
import { registrars } from "./registrars.ts";
import { Registry } from "./registry.ts";
import type { ProxyOptions, ProxyRegistration } from "./types.ts";

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Serves the MCP server at `target` (its Streamable HTTP endpoint, either era) through `server`:
 * its tools, resources, resource templates and prompts are listed now and registered with
 * handlers that forward each call upstream.
 */
export async function proxy(
  server: McpServer,
  target: string | URL,
  options: ProxyOptions = {},
): Promise<ProxyRegistration> {
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const prefix = options.prefix === undefined || options.prefix === "" ? "" : `${options.prefix}_`;
  const notifications = options.forwardNotifications !== false;
  const client = new UpstreamClient({
    target: new URL(target),
    fetch: fetchFn,
    headers: new Headers(options.headers),
    era: options.era ?? "auto",
  });
  await client.connect(AbortSignal.timeout(timeoutMs));

  const call = forwarder(client, { options, timeoutMs, notifications });
  const registry = new Registry(registrars(server, call), prefix);
  let closed = false;

  const sync = async (): Promise<void> => {
    const definitions = await listDefinitions(client, timeoutMs);
    if (closed) return;
    registry.update(definitions);
  };

  try {
    await sync();
  } catch (error) {
    registry.removeAll();
    await client.close();
    throw error;
  }

  return {
    get tools() {
      return registry.keys("tool");
    },
    get resources() {
      return registry.keys("resource");
    },
    get templates() {
      return registry.keys("template");
    },
    get prompts() {
      return registry.keys("prompt");
    },
    get skipped() {
      return registry.skipped;
    },
    era: client.era,
    refresh: async () => {
      if (closed) throw new Error("proxy: refresh() after close()");
      await sync();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      registry.removeAll();
      await client.close();
    },
  };
}
