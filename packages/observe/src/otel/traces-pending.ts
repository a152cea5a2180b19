/**
 * Store calls made before a request's span exists — a legacy request's session lookup, which runs
 * before the middleware chain — are kept in the HTTP request's context (the handler runs each request
 * inside the tracer's `scope`) until the first request span of that HTTP request adopts them as its
 * children, with their own start and end times; that span then starts with the first of them, so it
 * covers all the request cost. Needs what every store span needs: a context manager that carries
 * the context across `await` (the Node SDK's `AsyncLocalStorage` one).
 */
import type * as otel from "@opentelemetry/api";
import type { StoreObservation } from "../instrument.ts";

/** The context value: the HTTP request's store calls no span has adopted yet. */
const PENDING = Symbol.for("@portico/observe: store calls before a span");

/** Most store calls one HTTP request keeps (a session lookup makes one to three). */
const MOST = 16;

/** A store call outside any span, waiting for its request's span. */
export interface PendingCall {
  readonly operation: string;
  /** Start and end: milliseconds since the epoch. */
  readonly start: number;
  end?: number;
  error?: unknown;
  /** Set by the adopting span while the call still runs: ends its child span. */
  adopted?: (end: number, error: unknown) => void;
}

const origin =
  typeof performance.timeOrigin === "number" && performance.timeOrigin > 0
    ? performance.timeOrigin
    : Date.now() - performance.now();

/** Now, in milliseconds since the epoch with sub-millisecond precision (what OpenTelemetry takes as a time). */
export const epochMs = (): number => origin + performance.now();

/** `context` with an empty list of pending store calls. */
export function withPending(context: otel.Context): otel.Context {
  return context.setValue(PENDING, []);
}

/** The store call `operation` starting in `context` outside any span: kept when the context has a list with room. */
export function notePending(context: otel.Context, operation: string): StoreObservation | undefined {
  const list = context.getValue(PENDING);
  if (!Array.isArray(list) || list.length >= MOST) return undefined;
  const call: PendingCall = { operation, start: epochMs() };
  list.push(call);
  return {
    end: (_durationMs, error) => {
      const end = epochMs();
      if (call.adopted !== undefined) call.adopted(end, error);
      else {
        call.end = end;
        call.error = error;
      }
    },
  };
}

/** Takes the pending store calls of `context` (the list is emptied: a batch's next request adopts none). */
export function takePending(context: otel.Context): PendingCall[] {
  const list = context.getValue(PENDING);
  return Array.isArray(list) && list.length > 0 ? (list.splice(0) as PendingCall[]) : [];
}
