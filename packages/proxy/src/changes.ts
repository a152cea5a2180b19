/**
 * Keeping the registrations in line with the upstream: re-listing coalesced (one listing in flight
 * and at most one queued, however many `list_changed` notifications arrive), the upstream's
 * resource updates announced on the Portico server, and upstream subscriptions to the registered
 * resources kept (legacy era and transports: `resources/subscribe` per URI, the first 1000).
 */

import type { McpServer } from "@portico/core";
import type { Following, UpstreamClient } from "./client.ts";
import { isObject, type Json, str } from "./json.ts";
import type { ProxyLogger } from "./types.ts";

/** At most this many resources are watched upstream (Portico honours 100 per session or listen, as do others). */
export const MAX_SUBSCRIPTIONS = 100;
/** A burst of notifications within this window causes one re-listing. */
const DEBOUNCE_MS = 50;
/**
 * Re-listings on the upstream's word (its `list_changed`, a stream opened again) are paced: a few
 * at once (`RELIST_BURST`), then one per `RELIST_INTERVAL_MS`, and the changes announced meanwhile
 * are re-listed together when the next one is due — so a flood of `list_changed` costs a listing
 * every 5 s, and the last change is never lost. `refresh()` is not paced.
 */
export const RELIST_INTERVAL_MS = 5000;
export const RELIST_BURST = 3;

const LIST_CHANGED = new Set([
  "notifications/tools/list_changed",
  "notifications/resources/list_changed",
  "notifications/prompts/list_changed",
]);

/** Runs `sync` one at a time: a call while one runs shares the next run (queued once). */
export class Syncer {
  readonly #sync: () => Promise<void>;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(sync: () => Promise<void>) {
    this.#sync = sync;
  }

  run(): Promise<void> {
    if (this.#queued !== undefined) return this.#queued;
    const running = this.#running;
    if (running === undefined) return this.#start();
    const queued = running
      .catch(() => {})
      .then(() => {
        this.#queued = undefined;
        return this.#start();
      });
    this.#queued = queued;
    return queued;
  }

  #start(): Promise<void> {
    const run: Promise<void> = this.#sync().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }
}

export interface ChangeSettings {
  server: McpServer;
  client: UpstreamClient;
  syncer: Syncer;
  /** The registered resource URIs. */
  resources: () => readonly string[];
  /** Whether a resource URI is registered (a lookup: an upstream may send many updates). */
  hasResource: (uri: string) => boolean;
  timeoutMs: number;
  /** Follow changes (else only a transport's log messages are looked at). */
  follow: boolean;
  logger: ProxyLogger | undefined;
}

/** Following the upstream: `afterSync()` after each listing, `stop()` on close. */
export interface Changes {
  afterSync(): void;
  stop(): Promise<void>;
}

export function followChanges(settings: ChangeSettings): Changes {
  const { server, client, syncer, timeoutMs, logger } = settings;
  const caps = client.capabilities;
  const resourcesCap = isObject(caps.resources) ? caps.resources : {};
  const listChanges =
    (isObject(caps.tools) && caps.tools.listChanged === true) ||
    (isObject(caps.prompts) && caps.prompts.listChanged === true) ||
    resourcesCap.listChanged === true;
  const subscribe = settings.follow && resourcesCap.subscribe === true;
  const watched = () => (subscribe ? settings.resources().slice(0, MAX_SUBSCRIPTIONS) : undefined);
  const stopping = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The URIs subscribed to upstream (legacy era and transports). */
  const subscribed = new Set<string>();
  let subscribing: Promise<void> = Promise.resolve();

  const report = (what: string, error: unknown) =>
    logger?.warn(`proxy: ${what} failed`, { detail: error instanceof Error ? error.message : String(error) });

  /** Re-listings allowed now (a token bucket: `RELIST_BURST` at most, one more per interval). */
  let allowance = RELIST_BURST;
  let counted = Date.now();
  /** How long until a re-listing is allowed (0: now). */
  const due = (): number => {
    const now = Date.now();
    allowance = Math.min(RELIST_BURST, allowance + (now - counted) / RELIST_INTERVAL_MS);
    counted = now;
    return allowance >= 1 ? 0 : Math.ceil((1 - allowance) * RELIST_INTERVAL_MS);
  };
  const relisting = () => {
    timer = undefined;
    if (stopping.signal.aborted) return;
    const wait = due();
    if (wait > 0) {
      timer = setTimeout(relisting, wait);
      return;
    }
    allowance -= 1;
    // Changes announced from now on (even during this listing) set a new timer: none is lost.
    syncer.run().catch((error: unknown) => report("re-listing the upstream", error));
  };
  const relist = () => {
    if (timer !== undefined || stopping.signal.aborted) return;
    timer = setTimeout(relisting, Math.max(DEBOUNCE_MS, due()));
  };

  const onNotification = ({ method, params }: { method: string; params: Json }) => {
    if (method === "notifications/message") {
      logger?.info("proxy: upstream log message", {
        level: params.level,
        logger: params.logger,
        data: params.data,
      });
    } else if (!settings.follow) {
      return;
    } else if (LIST_CHANGED.has(method)) {
      relist();
    } else if (method === "notifications/resources/updated") {
      const uri = str(params.uri);
      if (uri !== undefined && settings.hasResource(uri)) server.resourceUpdated(uri);
    }
  };

  /** Subscribes to new URIs and unsubscribes from gone ones, one request at a time. */
  const updateSubscriptions = (reset: boolean) => {
    if (!subscribe || client.era === "modern") return;
    subscribing = subscribing.then(async () => {
      if (reset) subscribed.clear();
      const wanted = new Set(watched());
      for (const uri of [...subscribed]) {
        if (wanted.has(uri)) continue;
        subscribed.delete(uri);
        await send("resources/unsubscribe", uri);
      }
      for (const uri of wanted) {
        if (stopping.signal.aborted) return;
        if (subscribed.has(uri)) continue;
        if (await send("resources/subscribe", uri)) subscribed.add(uri);
      }
    });
  };

  const send = async (method: string, uri: string): Promise<boolean> => {
    if (stopping.signal.aborted) return false;
    try {
      await client.request(
        method,
        { uri },
        { signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutMs)]) },
      );
      return true;
    } catch (error) {
      if (!stopping.signal.aborted) report(`${method} ${uri}`, error);
      return false;
    }
  };

  let following: Following | undefined;
  if ((settings.follow && (listChanges || subscribe)) || client.overTransport) {
    following = client.follow(
      {
        onNotification,
        onOpen: (first) => {
          // Changes may have been missed (between the first listing and this stream, or while it
          // was down); a new session has no subscriptions.
          relist();
          if (!first) updateSubscriptions(true);
        },
        onError: (error) => report("following the upstream", error),
      },
      watched,
    );
  }

  return {
    afterSync: () => {
      following?.urisChanged();
      updateSubscriptions(false);
    },
    stop: async () => {
      stopping.abort();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await following?.stop();
      await subscribing;
    },
  };
}
