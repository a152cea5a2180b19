/**
 * `createModernHandler(server, options)`: a fetch handler serving the 2026-07-28 revision only. It
 * holds none of the 2025-era code (sessions, SSE resumption, the event log), so a bundle built
 * from it is smaller and starts faster; a 2025-era client gets the protocol's answer to a version
 * it does not share (400, `UnsupportedProtocolVersion`, `data.supported`).
 */
import type { McpServer } from "./definition/server.ts";
import { PorticoError } from "./errors.ts";
import type { HandlerOptions, ModernHandlerOptions, ModernStores } from "./options.ts";
import { type McpHandler, serveEras } from "./serve.ts";
import { MemoryBus } from "./stores/memory-bus.ts";
import { MemorySessionStore } from "./stores/memory-session-store.ts";
import type { EventStore, Stores } from "./stores/types.ts";

export type { ModernHandlerOptions, ModernStores };

function unused(): Promise<never> {
  return Promise.reject(new PorticoError("unused_store", "the 2026-07-28 era keeps no event log"));
}

/** The modern era never appends to or replays an event log: only the session store and the bus. */
const noEvents: EventStore = { append: unused, replay: unused, trim: unused };

function modernStores(): Stores {
  return { sessions: new MemorySessionStore(), events: noEvents, bus: new MemoryBus() };
}

/** Turns a server definition into a fetch handler (`{ fetch }`) serving the 2026-07-28 era only. */
export function createModernHandler(server: McpServer, options: ModernHandlerOptions = {}): McpHandler {
  const { stores, ...rest } = options;
  const legacyOff: HandlerOptions = { ...rest, legacy: false, modern: true };
  if (stores !== undefined) legacyOff.stores = { events: noEvents, ...stores };
  return serveEras(server, legacyOff, undefined, modernStores);
}
