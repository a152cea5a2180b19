/**
 * How many answers to an upstream's own requests (pings, requests outside a call, asks during one)
 * are on their way at once: at most {@link MAX_REPLIES_IN_FLIGHT}. A request arriving while they
 * are is dropped unanswered, so a flood of requests cannot open a connection (or a pending ask)
 * each; the first dropped request of a burst is reported.
 */
import { UpstreamTransportError } from "./errors.ts";

export const MAX_REPLIES_IN_FLIGHT = 4;

const TOO_MANY_REQUESTS = `the upstream sent requests faster than the proxy answers them (${MAX_REPLIES_IN_FLIGHT} answers at a time); the others are dropped unanswered`;

export class ReplyLimit {
  readonly #onError: ((error: Error) => void) | undefined;
  #inFlight = 0;
  /** Whether requests are being dropped (reported once per burst). */
  #dropping = false;

  constructor(onError: ((error: Error) => void) | undefined) {
    this.#onError = onError;
  }

  /** Runs `answer` unless too many answers are on their way (then the request is dropped). */
  run(answer: () => Promise<unknown>): void {
    if (this.#inFlight >= MAX_REPLIES_IN_FLIGHT) {
      if (!this.#dropping) this.#onError?.(new UpstreamTransportError("protocol", TOO_MANY_REQUESTS));
      this.#dropping = true;
      return;
    }
    this.#dropping = false;
    this.#inFlight++;
    void answer()
      .catch((error: unknown) => this.#onError?.(error instanceof Error ? error : new Error(String(error))))
      .finally(() => {
        this.#inFlight--;
      });
  }
}
