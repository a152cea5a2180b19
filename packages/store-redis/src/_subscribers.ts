import type { JsonValue } from "@portico/core";

/** One `subscribe` call: its callback, and whether it still wants messages. */
export interface Subscriber {
  onMessage: (message: JsonValue) => void;
  active: boolean;
}

/**
 * Hands a message (JSON text) to every active subscriber: each gets its own parse, and one that
 * throws is reported and harms no other. A message that is not JSON is reported once.
 */
export function deliver(
  subscribers: Iterable<Subscriber>,
  text: string,
  report: (error: unknown) => void,
): void {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch (error) {
    report(error);
    return;
  }
  let first = true;
  for (const subscriber of [...subscribers]) {
    if (!subscriber.active) continue;
    try {
      subscriber.onMessage(first ? parsed : (JSON.parse(text) as JsonValue));
    } catch (error) {
      report(error);
    }
    first = false;
  }
}

/** Calls `onError` and swallows what it throws: a faulty handler must not stop delivery. */
export function safeReport(
  onError: ((error: unknown, topic: string) => void) | undefined,
  error: unknown,
  topic: string,
): void {
  try {
    onError?.(error, topic);
  } catch {
    // Deliberately ignored.
  }
}
