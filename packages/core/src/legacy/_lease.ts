/**
 * Owner leases on streamed legacy calls. A call that answers with a resumable stream records, in
 * the session store, which request the stream answers and a heartbeat its instance renews while
 * the call runs; once the final response is stored the record goes. A client resuming the
 * stream (`Last-Event-ID`, on any instance) watches the record: when the heartbeat stops with no
 * final response — the instance died, or the store lost the result — the resumer takes the lease
 * over (compare-and-set, so one resumer does), stores a JSON-RPC error as the stream's final
 * event, and every resumed copy of the stream ends with it. Nothing waits forever.
 */
import { keys } from "../stores/keys.ts";
import type { JsonValue, Stores } from "../stores/types.ts";

interface LeaseRecord {
  /** The JSON-RPC id of the request the stream answers. */
  requestId: string | number;
  /** Epoch ms of the owner's last heartbeat. */
  heartbeatAt: number;
  /** A resumer declared the owner gone (and stored the error). */
  abandoned?: true;
}

/** How a lease's heartbeat looks at its session: whether it still lives, and what to do when not. */
export interface SessionWatch {
  alive(): Promise<boolean>;
  gone(): void;
}

/**
 * The owner's side: started before the stream's first event, renewed, finished or left to lapse.
 * Each heartbeat also reads the session (given `session`): the call ends when it is gone.
 */
export class CallLease {
  readonly #stores: Stores;
  readonly #sessionId: string;
  readonly #streamId: string;
  readonly #record: LeaseRecord;
  readonly #leaseMs: number;
  readonly #ttlMs: number;
  readonly #onLost: () => void;
  readonly #session: SessionWatch | undefined;
  #version = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    stores: Stores,
    ids: { sessionId: string; streamId: string; requestId: string | number },
    timing: { leaseMs: number; ttlMs: number },
    onLost: () => void,
    session?: SessionWatch,
  ) {
    this.#stores = stores;
    this.#sessionId = ids.sessionId;
    this.#streamId = ids.streamId;
    this.#record = { requestId: ids.requestId, heartbeatAt: Date.now() };
    this.#leaseMs = timing.leaseMs;
    this.#ttlMs = timing.ttlMs;
    this.#onLost = onLost;
    this.#session = session;
  }

  get #key() {
    return keys.lease(this.#sessionId, this.#streamId);
  }

  /** Records the lease and starts the heartbeat (every third of the lease). */
  async start(): Promise<void> {
    this.#record.heartbeatAt = Date.now();
    if (!(await this.#stores.sessions.create(this.#key, this.#value(), this.#ttlMs))) return;
    this.#version = 1;
    this.#timer = setInterval(() => void this.#beat(), Math.max(1, Math.floor(this.#leaseMs / 3)));
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Stops renewing (the call returned); the lease lapses unless `finish` marks it done. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The final response is stored: resumers end with it, never with an error. */
  async finish(): Promise<void> {
    this.stop();
    if (this.#version === 0) return;
    this.#version = 0;
    await this.#stores.sessions.delete(this.#key);
  }

  async #beat(): Promise<void> {
    if (this.#timer === undefined) return;
    this.#record.heartbeatAt = Date.now();
    try {
      if (!(await this.#write())) {
        // A resumer declared this instance gone (it was too slow): the call's answer is void.
        this.stop();
        this.#onLost();
        return;
      }
      // A DELETE (or expiry) of the session on any instance ends its running calls within a beat.
      if (this.#session !== undefined && !(await this.#session.alive())) {
        this.stop();
        this.#session.gone();
      }
    } catch {
      // A store hiccup: the next beat tries again; a long outage lets the lease lapse.
    }
  }

  async #write(): Promise<boolean> {
    const written = await this.#stores.sessions.update(this.#key, this.#version, this.#value(), this.#ttlMs);
    if (written) this.#version++;
    return written;
  }

  #value(): JsonValue {
    return { ...this.#record } as unknown as JsonValue;
  }
}

/** What a resumer learns of a stream's lease. */
export type LeaseState =
  | { kind: "running" }
  /** No record: the call finished (its final response is in the log), or the record expired. */
  | { kind: "unknown" }
  /** The owner is gone; this resumer took the lease over and must store the error. */
  | { kind: "taken"; requestId: string | number }
  /** The owner is gone and another resumer took over (its error is, or will be, in the log). */
  | { kind: "abandoned" };

/** Reads the lease of a stream and, if its owner stopped renewing it, takes it over. */
export async function inspectLease(
  stores: Stores,
  sessionId: string,
  streamId: string,
  leaseMs: number,
  ttlMs: number,
): Promise<LeaseState> {
  const key = keys.lease(sessionId, streamId);
  const stored = await stores.sessions.get(key);
  if (stored === undefined) return { kind: "unknown" };
  const record = stored.value as unknown as LeaseRecord;
  if (record.abandoned) return { kind: "abandoned" };
  if (Date.now() - record.heartbeatAt <= leaseMs) return { kind: "running" };
  const taken = { ...record, abandoned: true } as unknown as JsonValue;
  return (await stores.sessions.update(key, stored.version, taken, ttlMs))
    ? { kind: "taken", requestId: record.requestId }
    : { kind: "running" }; // changed meanwhile: look again next time
}
