/**
 * Input the upstream asks of the proxy's caller (elicitation, sampling, roots), asked of the
 * Portico caller in turn with its context: `ctx.inputs` for a modern upstream's `input_required`
 * rounds, `ctx.elicit` / `ctx.sample` / `ctx.listRoots` for a legacy upstream's server→client
 * requests. In both cases the caller may be of either era; the core does the asking.
 */

import type {
  CreateMessageRequestParams,
  ElicitRequestParams,
  HandlerContext,
  InputRequest,
} from "@portico/core";
import { UpstreamInputRequired, UpstreamTransportError } from "./errors.ts";
import { asObject, type Json } from "./json.ts";

/** The most `input_required` rounds one call may go through. */
export const MAX_INPUT_ROUNDS = 8;

const INPUT_METHODS = new Set(["elicitation/create", "sampling/createMessage", "roots/list"]);

/** The upstream asked for input more than {@link MAX_INPUT_ROUNDS} times in one call. */
export class InputRoundsExceeded extends Error {
  constructor() {
    super(`The upstream MCP server asked for input more than ${MAX_INPUT_ROUNDS} times`);
    this.name = "InputRoundsExceeded";
  }
}

/** The client capabilities the proxy declares to a modern upstream: the caller's input ones. */
export function inputCapabilities(ctx: HandlerContext): Json {
  const declared: Json = {};
  for (const name of ["elicitation", "sampling", "roots"]) {
    const value = ctx.clientCapabilities[name];
    if (value !== undefined && value !== null && value !== false) declared[name] = value;
  }
  return declared;
}

/**
 * Sends `params` upstream (`send`) and, while a modern upstream answers `input_required`, asks the
 * caller for the same inputs and retries with `inputResponses` (under the upstream's keys) and the
 * upstream's latest `requestState`.
 *
 * With a 2026-07-28 caller, `ctx.inputs` ends this Portico request with `input_required` (the core's
 * signal propagates), and the core runs this handler again, from the start, on the caller's retry.
 * The upstream is then called afresh and answers `input_required` again, with a new
 * `requestState`; this time `ctx.inputs` resolves with the caller's answers, and the upstream is
 * retried with them. The keys of round 1 are the upstream's own; later rounds get `#<round>` added
 * so an answer of an earlier round (which the core keeps) is not taken for a new question that
 * reuses a key. With a 2025-11-25 caller, `ctx.inputs` asks over the stream and resolves.
 */
export async function withInputRounds(
  send: (params: Json) => Promise<Json>,
  params: Json,
  ctx: HandlerContext,
): Promise<Json> {
  let sent = params;
  for (let round = 1; ; round++) {
    try {
      return await send(sent);
    } catch (error) {
      if (!(error instanceof UpstreamInputRequired)) throw error;
      if (round > MAX_INPUT_ROUNDS) throw new InputRoundsExceeded();
      const key = (remote: string) => (round === 1 ? remote : `${remote}#${round}`);
      const asked: Record<string, InputRequest> = {};
      for (const [remote, request] of Object.entries(error.inputRequests)) {
        asked[key(remote)] = inputRequest(request);
      }
      const answers = await ctx.inputs(asked);
      const inputResponses: Json = {};
      for (const remote of Object.keys(error.inputRequests)) inputResponses[remote] = answers[key(remote)];
      sent = { ...params, inputResponses };
      if (error.requestState !== undefined) sent.requestState = error.requestState;
    }
  }
}

/** One entry of an upstream's `inputRequests`, checked. */
function inputRequest(value: unknown): InputRequest {
  const request = asObject(value);
  if (typeof request.method !== "string" || !INPUT_METHODS.has(request.method)) {
    throw new UpstreamTransportError("protocol", `input_required with an unknown request: ${request.method}`);
  }
  return { method: request.method, params: asObject(request.params) } as InputRequest;
}

/**
 * The caller's answer to a legacy upstream's server→client request; `undefined` for a request the
 * proxy does not forward. Whatever asking throws propagates (see `LegacySession`).
 */
export async function askCaller(
  request: { method: string; params: Json },
  ctx: HandlerContext,
): Promise<Json | undefined> {
  const { _meta: _ignored, ...params } = request.params;
  switch (request.method) {
    case "elicitation/create":
      return (await ctx.elicit(params as unknown as ElicitRequestParams)) as unknown as Json;
    case "sampling/createMessage":
      return (await ctx.sample(params as unknown as CreateMessageRequestParams)) as unknown as Json;
    case "roots/list":
      return (await ctx.listRoots()) as unknown as Json;
    case "ping":
      return {};
    default:
      return undefined;
  }
}
