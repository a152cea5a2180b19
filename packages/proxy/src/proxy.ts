/**
 * `proxy(server, target, options)`: connects to a remote MCP server, lists its tools, resources,
 * resource templates and prompts, and registers each on a Portico server with a handler that
 * forwards the call upstream; it follows the remote's changes, `refresh()` lists again, `close()`
 * removes it all.
 */

import type { McpServer } from "@portico/core";
import { isTimerMs, MAX_TIMER_MS } from "@portico/host";
import { type Changes, followChanges, Syncer } from "./changes.ts";
import { UpstreamClient } from "./client.ts";
import { upstreamCompleters } from "./completion.ts";
import { MAX_MESSAGE_BYTES } from "./errors.ts";
import { forwarder } from "./forward.ts";
import { isObject } from "./json.ts";
import { listDefinitions } from "./listing.ts";
import { registrars } from "./registrars.ts";
import { Registry } from "./registry.ts";
import { upstreamRouting } from "./routing.ts";
import { unvalidatedSchemasOf } from "./schemas.ts";
import type { ProxyTransport } from "./transport.ts";
import type { ProxyOptions, ProxyRegistration } from "./types.ts";

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Serves the MCP server at `target` through `server`: its Streamable HTTP endpoint (either era), or
 * a message transport (`stdioTransport()` of `@portico/proxy/stdio`, or a client transport of the
 * official SDK) spoken to in the 2025-11-25 era. Its tools, resources, resource templates and
 * prompts are listed now and registered with handlers that forward each call upstream.
 */
export async function proxy(
  server: McpServer,
  target: string | URL | ProxyTransport,
  options: ProxyOptions = {},
): Promise<ProxyRegistration> {
  const timeoutMs = timeoutMsOf(options.timeoutMs);
  const prefix = options.prefix === undefined || options.prefix === "" ? "" : `${options.prefix}_`;
  const notifications = options.forwardNotifications !== false;
  const unvalidatedSchemas = unvalidatedSchemasOf(options.unvalidatedSchemas);
  const client = new UpstreamClient(clientOptions(target, options));
  try {
    await client.connect(AbortSignal.timeout(timeoutMs));
  } catch (error) {
    await client.close();
    throw error;
  }

  const call = forwarder(client, { options, timeoutMs, notifications });
  const completes = isObject(client.capabilities.completions);
  const complete = completes ? upstreamCompleters(call, options.logger) : undefined;
  const registry = new Registry(
    registrars(server, call, complete, unvalidatedSchemas, upstreamRouting(server)),
    prefix,
  );
  let closed = false;
  let changes: Changes | undefined;

  const syncer = new Syncer(async () => {
    const definitions = await listDefinitions(client, timeoutMs);
    if (closed) return;
    registry.update(definitions);
    changes?.afterSync();
  });

  try {
    await syncer.run();
  } catch (error) {
    registry.removeAll();
    await client.close();
    throw error;
  }
  changes = followChanges({
    server,
    client,
    syncer,
    resources: () => registry.keys("resource"),
    hasResource: (uri) => registry.has("resource", uri),
    timeoutMs,
    follow: options.follow !== false,
    logger: options.logger,
  });
  changes.afterSync();

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
    get unvalidated() {
      return registry.unvalidated;
    },
    era: client.era,
    refresh: async () => {
      if (closed) throw new Error("proxy: refresh() after close()");
      await syncer.run();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await changes?.stop();
      registry.removeAll();
      await client.close();
    },
  };
}

function clientOptions(target: string | URL | ProxyTransport, options: ProxyOptions) {
  if (typeof target === "string" || target instanceof URL) {
    return {
      target: new URL(target),
      fetch: options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init)),
      headers: new Headers(options.headers),
      era: options.era ?? "auto",
      maxMessageBytes: maxMessageBytesOf(options.maxMessageBytes),
    };
  }
  if (options.era === "modern") {
    throw new TypeError(
      'proxy: a transport upstream is spoken to in the legacy era; era: "modern" is not possible',
    );
  }
  if (options.maxMessageBytes !== undefined) {
    throw new TypeError(
      "proxy: maxMessageBytes bounds an HTTP upstream's messages; bound a transport's with its own option (stdioTransport's maxLineBytes)",
    );
  }
  return { transport: target };
}

/** `timeoutMs`, checked: a whole number of ms from 1 to 2^31−1 (about 24.8 days), default 60 000. */
function timeoutMsOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (!(Number.isInteger(value) && isTimerMs(value, 1))) {
    const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
    throw new TypeError(
      `proxy: timeoutMs must be a whole number of ms from 1 to ${MAX_TIMER_MS} (2^31−1, about 24.8 days), not ${shown}`,
    );
  }
  return value;
}

/** `maxMessageBytes`, checked: a whole number of bytes ≥ 1 (at most 2^31 − 1), default 16 MiB. */
function maxMessageBytesOf(value: number | undefined): number {
  if (value === undefined) return MAX_MESSAGE_BYTES;
  if (!Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new TypeError(
      `proxy: maxMessageBytes must be a whole number of bytes from 1 to ${2 ** 31 - 1}, not ${String(value)}`,
    );
  }
  return value;
}
