/**
 * MRTR (2026-07-28): a handler's asks that this round cannot answer end the request with an
 * `input_required` result carrying the asks and a sealed `requestState`; the client retries with
 * `inputResponses`, and the handler runs again with the answers of every round so far.
 */
import { principalOf } from "../auth/principal.ts";
import type { Call } from "../call/call.ts";
import { InputCollector } from "../call/inputs.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { McpResult } from "../definition/method.ts";
import { ErrorCode, McpError } from "../errors.ts";
import { keys } from "../stores/keys.ts";
import { randomId } from "../util/encoding.ts";
import { bindingOf, sealerOf, warnIfEphemeral } from "./_request-state.ts";

/** Whether a request carries answers of earlier rounds. */
export function isRetry(params: Record<string, unknown>): boolean {
  return params.requestState !== undefined || params.inputResponses !== undefined;
}

/**
 * Answers from a verified, unused `requestState` plus this request's `inputResponses`; none for
 * `inputResponses` that come without a state.
 */
export async function gatheredAnswers(
  rt: Runtime,
  incoming: Incoming,
  method: string,
  target: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const answers: Record<string, unknown> = {};
  // Answers are only taken with the sealed state of the round that asked for them: unsolicited
  // `inputResponses` are ignored, so the handler runs afresh and asks (with a new state) again.
  if (params.requestState === undefined) return answers;
  if (typeof params.requestState !== "string") {
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /requestState must be a string");
  }
  const now = Date.now();
  const payload = await sealerOf(rt).open(params.requestState, now);
  const binding = await bindingOf(method, target, params.arguments);
  if (payload === undefined || payload.b !== binding || payload.s !== principalOf(incoming.auth)) {
    throw new McpError(
      ErrorCode.InvalidParams,
      "Invalid params: requestState is invalid, expired or belongs to another request",
    );
  }
  // Single use: the first retry with a state claims its nonce for the state's remaining lifetime.
  if (!(await rt.stores.sessions.create(keys.requestState(payload.n), true, Math.max(1, payload.e - now)))) {
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: requestState has already been used");
  }
  Object.assign(answers, payload.r);
  const responses = params.inputResponses;
  if (responses !== undefined) {
    if (typeof responses !== "object" || responses === null || Array.isArray(responses)) {
      throw new McpError(ErrorCode.InvalidParams, "Invalid params: /inputResponses must be an object");
    }
    Object.assign(answers, responses);
  }
  return answers;
}

/**
 * The `input_required` result for the asks of this round: the asks, and the answers used so far
 * sealed in `requestState` (bound to the request and the caller), with the server's `_meta`.
 */
export async function inputRequired(
  call: Call,
  collector: InputCollector,
  meta: Record<string, unknown>,
): Promise<McpResult> {
  const { rt, incoming, params } = call;
  warnIfEphemeral(rt, incoming.host);
  const requestState = await sealerOf(rt).seal({
    v: 1,
    b: await bindingOf(call.method, targetOf(call), params.arguments),
    s: principalOf(incoming.auth),
    e: Date.now() + rt.options.requestStateTtlMs,
    r: collector.used,
    n: randomId(22),
  });
  return { resultType: "input_required", inputRequests: collector.pending, requestState, _meta: meta };
}

/**
 * The target a `requestState` is bound to: the param the method declares as its target
 * (`nameParam`: the tool or prompt name, the resource URI), never another param that happens to be
 * there; for a method that declares none (an extension's), its `name` or `uri` param.
 */
export function targetOf(call: Call): string {
  if (call.spec.nameParam !== undefined) return call.target ?? "";
  const target = call.params.name ?? call.params.uri;
  return typeof target === "string" ? target : "";
}

export { InputCollector };
