/** Reaching a session object from a Worker: a fresh stub per call, and Durable Object failures → 503. */
import { StoreUnavailableError } from "@portico/core";
import type { PorticoSessionObject } from "./session-object.ts";

export type SessionObjectNamespace = DurableObjectNamespace<PorticoSessionObject>;

/**
 * The stub of the object called `name`. Made per call: a stub is an I/O object of the invocation
 * that made it, and the stores outlive invocations.
 */
export function objectNamed(
  namespace: SessionObjectNamespace,
  name: string,
): DurableObjectStub<PorticoSessionObject> {
  return namespace.get(namespace.idFromName(name));
}

/**
 * Runs one call on a session object. Errors the runtime marks as transient (`retryable`,
 * `overloaded`) become a `StoreUnavailableError`, which the core answers with 503 + Retry-After;
 * an idempotent call (a read) is first retried once unless the object is overloaded.
 */
export async function callObject<T>(what: string, idempotent: boolean, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isTransient(error)) throw error;
    if (idempotent && !(error as { overloaded?: boolean }).overloaded) {
      try {
        return await call();
      } catch (again) {
        if (!isTransient(again)) throw again;
        throw unavailable(what, again);
      }
    }
    throw unavailable(what, error);
  }
}

function isTransient(error: unknown): boolean {
  const e = error as { retryable?: unknown; overloaded?: unknown } | null;
  return typeof e === "object" && e !== null && (e.retryable === true || e.overloaded === true);
}

function unavailable(what: string, cause: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`Durable Object call failed (${what})`, { cause });
}

/** Throws like the in-memory store on a TTL that is not a positive finite number. */
export function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive finite number of milliseconds, got ${ttlMs}`);
  }
}
