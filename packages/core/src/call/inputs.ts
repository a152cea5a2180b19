/**
 * Server→client input (elicitation, sampling, roots) in the modern era: MRTR. A handler asks;
 * if the answer is not among the client's `inputResponses` (or the sealed state of earlier
 * rounds), the ask is recorded and the handler is abandoned; the request then answers
 * `input_required` with every recorded ask, and runs again on the client's retry.
 */

import type { InputRequest } from "../definition/context.ts";
import { InputRequiredSignal } from "../errors.ts";
import { assertCapability } from "./input-capability.ts";

export class InputCollector {
  /** Answers available this round: sealed earlier rounds plus this request's `inputResponses`. */
  readonly answers: Record<string, unknown>;
  /** Asks this round could not satisfy. */
  readonly pending: Record<string, InputRequest> = {};
  /** Answers the handler actually used (carried forward in the next state). */
  readonly used: Record<string, unknown> = {};
  readonly #capabilities: Record<string, unknown>;

  constructor(answers: Record<string, unknown>, capabilities: Record<string, unknown>) {
    this.answers = answers;
    this.#capabilities = capabilities;
  }

  get hasPending(): boolean {
    return Object.keys(this.pending).length > 0;
  }

  async ask(requests: Record<string, InputRequest>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    let missing = false;
    for (const [key, request] of Object.entries(requests)) {
      assertCapability(request, this.#capabilities);
      if (Object.hasOwn(this.answers, key) && isAnswerShaped(request, this.answers[key])) {
        out[key] = this.answers[key];
        this.used[key] = this.answers[key];
      } else {
        this.pending[key] = request;
        missing = true;
      }
    }
    if (missing) throw new InputRequiredSignal();
    return out;
  }
}

/** A minimal shape check of an input response, so a wrong answer is asked for again. */
export function isAnswerShaped(request: InputRequest, answer: unknown): boolean {
  if (typeof answer !== "object" || answer === null || Array.isArray(answer)) return false;
  const a = answer as Record<string, unknown>;
  switch (request.method) {
    case "elicitation/create":
      return a.action === "accept" || a.action === "decline" || a.action === "cancel";
    case "sampling/createMessage":
      return typeof a.role === "string" && a.content !== undefined;
    case "roots/list":
      return Array.isArray(a.roots);
  }
}
