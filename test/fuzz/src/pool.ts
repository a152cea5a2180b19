/**
 * What the server handed out during a run, for cases to reuse: legacy sessions opened with a real
 * `initialize` (one per slot, each with its own protocol revision, capabilities and caller), the
 * SSE event ids seen per session, sealed MRTR `requestState`s with the request they belong to,
 * list cursors, and the ids of server→client requests. Generated cases name these through `Ref`s;
 * a slot whose session was deleted by a case is opened again.
 */
import { initializeBody, initializedBody, legacyPost } from "@portico/test-kit";
import { SESSION_SLOTS } from "./arbitraries.ts";
import { readWhole } from "./read.ts";
import type { RawRequest, Transport } from "./transport.ts";

/** The server refused to open a session for now (429). */
export class RefusedError extends Error {
  override name = "RefusedError";
}

export interface SlotSpec {
  version: string;
  capabilities: Record<string, unknown>;
  /** The Authorization the session is opened (and bound) with. */
  authorization?: string;
}

/** The sessions opened before a run: four revisions; with and without input capabilities; one bound to a caller. */
export const SLOT_SPECS: readonly SlotSpec[] = [
  { version: "2025-11-25", capabilities: { elicitation: {}, roots: { listChanged: true }, sampling: {} } },
  { version: "2025-03-26", capabilities: {} },
  { version: "2024-11-05", capabilities: { elicitation: {} } },
  {
    version: "2025-06-18",
    capabilities: { elicitation: {}, roots: {} },
    authorization: "Bearer fuzz-reader-token",
  },
];

export interface SealedState {
  name: string;
  arguments: unknown;
  requestState: string;
  /** The keys of `inputRequests`, each with the method asked. */
  asks: [string, string][];
  clientCapabilities: unknown;
}

const RING = 8;

function remember<T>(ring: T[], value: T, size = RING): void {
  if (ring.includes(value)) return;
  ring.push(value);
  if (ring.length > size) ring.shift();
}

/** A Fetch `Request` (from test-kit's builders) as a raw request; `withHost` adds its URL's Host. */
export async function rawOf(request: Request, withHost = false): Promise<RawRequest> {
  const url = new URL(request.url);
  const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
  const headers = [...request.headers].map(([name, value]) => [name, value] as [string, string]);
  if (withHost && !headers.some(([name]) => name === "host")) headers.unshift(["host", url.host]);
  return { method: request.method, path: url.pathname + url.search, headers, body };
}

export class Pool {
  readonly sessions: { id: string; spec: SlotSpec }[] = [];
  readonly events: string[][] = Array.from({ length: SESSION_SLOTS }, () => []);
  readonly serverRequests: string[][] = Array.from({ length: SESSION_SLOTS }, () => []);
  readonly states: SealedState[] = [];
  readonly cursors: string[] = [];
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Opens every slot's session. */
  async open(): Promise<void> {
    for (let slot = 0; slot < SESSION_SLOTS; slot++) this.sessions[slot] = await this.#initialize(slot);
  }

  /**
   * Marks `slot`'s session as gone (a case deleted it); it is opened again before the next case.
   * Until then cases carry the deleted id, which is a fine hostile input too.
   */
  lost(slot: number): void {
    this.#stale.add(slot);
  }

  /**
   * Opens the sessions cases deleted. A refusal (429: the caller holds `maxSessionsPerCaller`
   * sessions, most of them opened by fuzzed `initialize`s) leaves the slot to the next try.
   */
  async reopenLost(): Promise<void> {
    for (const slot of [...this.#stale]) {
      this.#stale.delete(slot);
      try {
        this.sessions[slot] = await this.#initialize(slot);
        this.events[slot] = [];
        this.serverRequests[slot] = [];
      } catch (error) {
        if (!(error instanceof RefusedError)) throw error;
        this.#stale.add(slot);
      }
    }
  }

  readonly #stale = new Set<number>();

  async #initialize(slot: number): Promise<{ id: string; spec: SlotSpec }> {
    const spec = SLOT_SPECS[slot] as SlotSpec;
    const url = `${this.#transport.origin}/mcp`;
    const headers = spec.authorization === undefined ? {} : { authorization: spec.authorization };
    const body = initializeBody(1, { protocolVersion: spec.version, capabilities: spec.capabilities });
    const answer = await this.#transport.send(await rawOf(legacyPost(url, body, { headers }), true));
    const text = await readWhole(answer);
    const id = answer.headers.get("mcp-session-id");
    if (answer.status === 429)
      throw new RefusedError(`initialize for slot ${slot} refused: 429 ${text.slice(0, 300)}`);
    if (answer.status !== 200 || id === null) {
      throw new Error(`initialize for slot ${slot} failed: ${answer.status} ${text.slice(0, 300)}`);
    }
    const done = await this.#transport.send(
      await rawOf(
        legacyPost(url, initializedBody(), { sessionId: id, protocolVersion: spec.version, headers }),
        true,
      ),
    );
    await readWhole(done);
    return { id, spec };
  }

  session(slot: number): { id: string; spec: SlotSpec } {
    const session = this.sessions[slot % SESSION_SLOTS];
    if (session === undefined) throw new Error("the pool is not open");
    return session;
  }

  event(slot: number, index: number): string | undefined {
    const ring = this.events[slot % SESSION_SLOTS] ?? [];
    return ring.length === 0 ? undefined : ring[index % ring.length];
  }

  serverRequest(slot: number, index: number): string | undefined {
    const ring = this.serverRequests[slot % SESSION_SLOTS] ?? [];
    return ring.length === 0 ? undefined : ring[index % ring.length];
  }

  cursor(index: number): string | undefined {
    return this.cursors.length === 0 ? undefined : this.cursors[index % this.cursors.length];
  }

  state(index: number): SealedState | undefined {
    return this.states.length === 0 ? undefined : this.states[index % this.states.length];
  }

  addEvent(slot: number, id: string): void {
    remember(this.events[slot] as string[], id);
  }

  addServerRequest(slot: number, id: string): void {
    remember(this.serverRequests[slot] as string[], id);
  }

  addCursor(cursor: string): void {
    remember(this.cursors, cursor, 16);
  }

  addState(state: SealedState): void {
    this.states.push(state);
    if (this.states.length > 16) this.states.shift();
  }
}
