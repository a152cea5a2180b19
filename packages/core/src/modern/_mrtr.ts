/**
 * MRTR (2026-07-28): a handler's asks that this round cannot answer end the request with an
 * `input_required` result carrying the asks and a sealed `requestState`; the client retries with
 * `inputResponses`, and the handler runs again with the answers of every round so far.
 *
 * A state opens once: the first retry with it claims its nonce in its caller's claims record (one
 * per caller, `[nonce, expiresAt]` pairs), kept until the state expires. That record also bounds
 * what one caller's retries make the store hold (`maxRequestStatesPerCaller`), so looping
 * ask → retry cannot fill the store everyone's sessions, tasks and retries share. A retry costs
 * two store calls (read the record, compare-and-set it); nothing else here touches a store.
 */
import { sha256 } from "@portico/host";
import { principalOf } from "../auth/principal.ts";
import type { Call } from "../call/call.ts";
import { InputCollector } from "../call/inputs.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { McpResult } from "../definition/method.ts";
import { ErrorCode, McpError } from "../errors.ts";
import { keys } from "../stores/keys.ts";
import { allowanceAt } from "../tasks/access.ts";
import { randomId, toBase64Url } from "../util/encoding.ts";
import { bindingOf, type RequestStatePayload, sealerOf, warnIfEphemeral } from "./_request-state.ts";

/** A sealed state as this module writes it: the payload, and whose claims record it counts in. */
interface SealedState extends RequestStatePayload {
  /**
   * An anonymous caller's claims record: a digest of the address group the state was issued to
   * (`allowanceAt`), `null` when no address was known; absent for a principal's state (its record
   * is the principal's), and in states sealed before it existed. Fixed at issue so that a replay
   * from another address meets the claim of the first use.
   */
  c?: string | null;
}

/** Compare-and-set attempts on a busy claims record before the retry fails. */
const ATTEMPTS = 16;

/** Shortest `retryAfterMs` told to a caller past its bound (as tasks tell theirs). */
const MIN_RETRY_AFTER_MS = 1000;

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
  const payload: SealedState | undefined = await sealerOf(rt).open(params.requestState, now);
  const binding = await bindingOf(rt.server.info.name, method, target, params.arguments);
  if (payload === undefined || payload.b !== binding || payload.s !== principalOf(incoming.auth)) {
    throw new McpError(
      ErrorCode.InvalidParams,
      "Invalid params: requestState is invalid, expired or belongs to another request",
    );
  }
  // Whose record: the principal's; an anonymous caller's where the state was issued (a state
  // sealed before `c` existed: where it is used).
  const issuedTo = typeof payload.c === "string" || payload.c === null ? payload.c : undefined;
  const caller =
    payload.s ?? (issuedTo !== undefined ? issuedTo : await anonymousCaller(incoming.host.clientAddress));
  await claim(rt, caller, payload.n, payload.e);
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
 * sealed in `requestState` (bound to the request as `asked` — its target and arguments as the
 * client sent them, before any middleware replaced them — and to the caller), with the server's `_meta`.
 */
export async function inputRequired(
  call: Call,
  collector: InputCollector,
  meta: Record<string, unknown>,
  asked: { target: string; args: unknown },
): Promise<McpResult> {
  const { rt, incoming } = call;
  warnIfEphemeral(rt, incoming.host);
  const principal = principalOf(incoming.auth);
  const state: SealedState = {
    v: 1,
    b: await bindingOf(rt.server.info.name, call.method, asked.target, asked.args),
    s: principal,
    e: Date.now() + rt.options.requestStateTtlMs,
    r: collector.used,
    n: randomId(22),
  };
  if (principal === null) state.c = await anonymousCaller(incoming.host.clientAddress);
  const requestState = await sealerOf(rt).seal(state);
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

/**
 * The claims record of an anonymous caller at `clientAddress`: a digest of its address group (as
 * tasks count it, `allowanceAt`), so the state it travels in does not show the address the server
 * saw; `null` (one record for all) when the platform gives no address.
 */
async function anonymousCaller(clientAddress: string | undefined): Promise<string | null> {
  const group = allowanceAt(null, clientAddress);
  if (group === null) return null;
  return toBase64Url(sha256(group));
}

/** A caller's claims: `[nonce, expiresAt]` of every state its retries used, newest first. */
interface Claims {
  states: [string, number][];
}

/**
 * Claims nonce `nonce` (of a state expiring at `expiresAt`) in `caller`'s record, or throws: the
 * state was used already (-32602), or the caller holds `maxRequestStatesPerCaller` live claims
 * (-32600 with `data.retryAfterMs`: when its soonest claim expires). Claims of expired states
 * drop out on the way, and the record expires with its last claim.
 */
async function claim(rt: Runtime, caller: string | null, nonce: string, expiresAt: number): Promise<void> {
  const store = rt.stores.sessions;
  const key = keys.callerRequestStates(caller);
  const limit = rt.options.maxRequestStatesPerCaller;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const now = Date.now();
    const stored = await store.get(key);
    const live = stored === undefined ? [] : liveClaims(stored.value as unknown as Claims, now);
    let soonest = Number.POSITIVE_INFINITY;
    let latest = expiresAt;
    for (const [used, at] of live) {
      if (used === nonce) {
        throw new McpError(ErrorCode.InvalidParams, "Invalid params: requestState has already been used");
      }
      soonest = Math.min(soonest, at);
      latest = Math.max(latest, at);
    }
    if (live.length >= limit) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `Too many answered input rounds: this caller holds ${limit} used requestStates (the server's maxRequestStatesPerCaller) until some expire; retry later`,
        { limit, retryAfterMs: Math.max(MIN_RETRY_AFTER_MS, soonest - now + 1) },
      );
    }
    const value = { states: [[nonce, expiresAt], ...live] } satisfies Claims;
    // A claim must outlive its state: a state opens until (and at) its expiry, `e < now` refuses it.
    const ttl = Math.max(1, latest - now + 1);
    const written =
      stored === undefined
        ? await store.create(key, value as never, ttl)
        : await store.update(key, stored.version, value as never, ttl);
    if (written) return;
  }
  throw new McpError(
    ErrorCode.InternalError,
    "Internal error: this caller's requestState claims are too busy; retry",
  );
}

/** The claims of states that still open at `now` (the rest cannot be replayed: they expired). */
function liveClaims(claims: Claims, now: number): [string, number][] {
  const states = Array.isArray(claims.states) ? claims.states : [];
  return states.filter((entry) => Array.isArray(entry) && typeof entry[1] === "number" && entry[1] >= now);
}

export { InputCollector };
