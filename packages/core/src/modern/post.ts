/**
 * Modern era (2026-07-28): stateless requests with the `_meta` envelope, `server/discover`,
 * `resultType`, cache hints, and MRTR (`input_required` + sealed `requestState`).
 */
import { isResponse } from "@portico/host";
import { Call, type EraLink } from "../call/call.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { SessionSlots } from "../call/session-slots.ts";
import type { InputRequest } from "../definition/context.ts";
import type { McpResult, MethodSpec } from "../definition/method.ts";
import { ErrorCode, InputRequiredSignal, McpError } from "../errors.ts";
import { accepted, cannotStream, httpError } from "../http/responses.ts";
import { classify, type JsonRpcRequest } from "../jsonrpc/messages.ts";
import { type LogLevel, META } from "../jsonrpc/protocol.ts";
import { methodSpec } from "../methods/table.ts";
import { isInstance } from "../util/is-instance.ts";
import { checkMirrorHeaders, type Envelope, readEnvelope } from "./_envelope.ts";
import { listen } from "./_listen.ts";
import { gatheredAnswers, InputCollector, inputRequired, isRetry, targetOf } from "./_mrtr.ts";
import { statusOf } from "./_status.ts";

/** A 2026-07-28 POST; `listeners` counts each caller's open `subscriptions/listen` streams. */
export async function modernPost(
  rt: Runtime,
  incoming: Incoming,
  body: unknown,
  listeners: SessionSlots,
): Promise<Response> {
  const c = classify(body);
  if (c.kind === "invalid")
    return httpError(400, ErrorCode.InvalidRequest, `Invalid Request: ${c.reason}`, { id: c.id });
  if (c.kind === "response") {
    return httpError(
      400,
      ErrorCode.InvalidRequest,
      "Invalid Request: clients must not send responses at 2026-07-28",
    );
  }
  const envelope = readEnvelope(incoming.request, c.message);
  if (isResponse(envelope)) return envelope;
  const installed = rt.server.method(c.message.method);
  const mirrored = checkMirrorHeaders(incoming.request, c.message, installed?.spec, rt.server);
  if (mirrored) return mirrored;
  if (c.kind === "notification") return accepted();
  const message = c.message;
  if (message.method === "subscriptions/listen") {
    if (incoming.host.canStream === false) return cannotStream();
    return listen(rt, incoming, message, new ListenLink(envelope), listeners);
  }
  let spec: MethodSpec;
  try {
    spec = methodSpec(rt.server, message.method, "modern", envelope.protocolVersion);
  } catch (error) {
    return httpError(404, ErrorCode.MethodNotFound, (error as McpError).message, { id: message.id });
  }
  return await serve(rt, incoming, message, envelope, spec);
}

function serverMeta(rt: Runtime, extra?: Record<string, unknown>): Record<string, unknown> {
  return { ...extra, [META.serverInfo]: rt.server.info };
}

/** A complete result: `resultType`, the server's `_meta`, and cache hints on cacheable methods. */
function complete(rt: Runtime, spec: MethodSpec, method: string, result: McpResult): McpResult {
  // A CreateTaskResult (tasks extension) keeps its `"task"`: only `tools/call` makes tasks, and a
  // tool cannot set one itself (see callTool). Any other method's result is complete.
  const task = result.resultType === "task" && method === "tools/call";
  const out: McpResult = { ...result, resultType: task ? "task" : "complete" };
  out._meta = serverMeta(rt, result._meta as Record<string, unknown> | undefined);
  if (spec.cacheable) {
    // A handler's own hints are kept when the spec allows them (ttlMs a number ≥ 0,
    // cacheScope "public" or "private"); anything else is replaced by the handler's defaults.
    const { ttlMs, cacheScope } = out;
    if (!(typeof ttlMs === "number" && Number.isFinite(ttlMs) && ttlMs >= 0))
      out.ttlMs = rt.options.cache.ttlMs;
    if (cacheScope !== "public" && cacheScope !== "private") out.cacheScope = rt.options.cache.scope;
  }
  return out;
}

/** What a modern request tells its call: the envelope's facts; input asks answered from this round (MRTR). */
class ModernLink implements EraLink {
  readonly era = "modern";
  readonly sessionId = undefined;
  readonly session = undefined;
  readonly protocolVersion: string;
  readonly clientCapabilities: Record<string, unknown>;
  readonly clientInfo: Record<string, unknown> | undefined;
  readonly #logLevel: string | undefined;
  /** Answers of earlier rounds and this request's `inputResponses` (set before the handler runs). */
  answers: Record<string, unknown> = {};
  /** The asks of this round, made on the handler's first ask. */
  collector: InputCollector | undefined;

  constructor(envelope: Envelope) {
    this.protocolVersion = envelope.protocolVersion;
    this.clientCapabilities = envelope.clientCapabilities;
    this.clientInfo = envelope.clientInfo;
    this.#logLevel = envelope.logLevel;
  }

  logLevel(): LogLevel | undefined {
    return this.#logLevel as LogLevel | undefined;
  }

  ask(requests: Record<string, InputRequest>, call: Call): Promise<Record<string, unknown>> {
    if (!call.spec.mrtr)
      throw new McpError(ErrorCode.InvalidRequest, `${call.method} cannot ask the client for input`);
    this.collector ??= new InputCollector(this.answers, this.clientCapabilities);
    return this.collector.ask(requests);
  }

  closeStream(): void {}
}

/**
 * A `subscriptions/listen` while it opens: its stream is its own (a `LongStream`), so nothing is
 * ever sent ahead through the call itself (a middleware's `ctx.progress()` is dropped).
 */
class ListenLink extends ModernLink {
  readonly stream = { canStream: false };
}

/** The result of a modern call: complete, or `input_required` when the handler asked what this round cannot answer. */
async function produce(call: Call): Promise<McpResult> {
  const { rt, spec } = call;
  if (!spec.mrtr) return complete(rt, spec, call.method, await call.invoke());
  const link = call.link as ModernLink;
  const params = call.params;
  // The request as the client sent it: what a retry will send again, so what its state is bound to
  // (a middleware may replace `params` before the handler runs).
  const asked = { target: targetOf(call), args: params.arguments };
  if (isRetry(params))
    link.answers = await gatheredAnswers(rt, call.incoming, call.method, asked.target, params);
  let result: McpResult | undefined;
  try {
    result = await call.invoke();
  } catch (error) {
    if (!isInstance(error, InputRequiredSignal) && !link.collector?.hasPending) throw error;
  }
  const collector = link.collector;
  if (collector?.hasPending) return inputRequired(call, collector, serverMeta(rt), asked);
  return complete(rt, spec, call.method, result ?? {});
}

function serve(
  rt: Runtime,
  incoming: Incoming,
  message: JsonRpcRequest,
  envelope: Envelope,
  spec: MethodSpec,
): Promise<Response> {
  return new Call(rt, incoming, message, spec, new ModernLink(envelope)).respond(produce, statusOf);
}
