/**
 * One idempotency key's record in the session store: `running` (the in-progress lock, kept alive
 * by its holder's heartbeat and gone `lockMs` after the holder stops) or `done` (the stored result).
 * Every write is a compare-and-set on the version the writer last saw, so a holder whose lock ran
 * out can never overwrite the record of the call that took the key over.
 */
import type { JsonValue, McpResult, SessionStore, StoreKey } from "@portico/core";

/**
 * The record's value. `a` is the digest of the tool and arguments the key was first used with; a
 * `done` record without its result (`r: null`) says why in `d`: absent, the result was larger than
 * `maxResultBytes`; `"allowance"`, the caller's allowance had no room to keep it.
 */
export type KeyRecord =
  | { s: "running"; a: string; h: string }
  | { s: "done"; a: string; r: McpResult | null; d?: "allowance" }
  | { s: "released" };

/** A lock taken: renews itself until it is settled or released. */
export class KeyLock {
  readonly #store: SessionStore;
  readonly #key: StoreKey;
  readonly #value: KeyRecord;
  readonly #lockMs: number;
  #version = 1;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The renewal in flight: the next write waits for it, so that it knows the version it left. */
  #renewing: Promise<void> | undefined;
  #lost = false;

  constructor(store: SessionStore, key: StoreKey, value: KeyRecord, lockMs: number) {
    this.#store = store;
    this.#key = key;
    this.#value = value;
    this.#lockMs = lockMs;
    this.#timer = setInterval(
      () => {
        this.#renewing ??= this.#renew().finally(() => {
          this.#renewing = undefined;
        });
      },
      Math.max(50, Math.floor(lockMs / 3)),
    );
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Whether a renewal found the lock taken over (the call ran longer than the lock, and nobody renewed it). */
  get lost(): boolean {
    return this.#lost;
  }

  /** Stores the result for `ttlMs`; `false` when the lock was lost meanwhile. */
  async settle(record: KeyRecord, ttlMs: number): Promise<boolean> {
    this.#stop();
    await this.#renewing;
    return this.#store.update(this.#key, this.#version, record as unknown as JsonValue, ttlMs);
  }

  /** Gives the key up (the call failed, or needs input first): another call may take it at once. */
  async release(): Promise<void> {
    this.#stop();
    await this.#renewing;
    await this.#store.update(this.#key, this.#version, { s: "released" }, 1);
  }

  async #renew(): Promise<void> {
    try {
      const renewed = await this.#store.update(
        this.#key,
        this.#version,
        this.#value as unknown as JsonValue,
        this.#lockMs,
      );
      if (renewed) this.#version += 1;
      else {
        this.#lost = true;
        this.#stop();
      }
    } catch {
      // A failed renewal is retried at the next beat; the lock lasts `lockMs` from the last one.
    }
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** The record under `key`, or `undefined` when there is none (or a released one). */
export async function readKey(store: SessionStore, key: StoreKey): Promise<KeyRecord | undefined> {
  const stored = await store.get(key);
  const value = stored?.value as KeyRecord | undefined;
  return value === undefined || value.s === "released" ? undefined : value;
}
